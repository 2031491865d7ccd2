// File: lib/attest/attest_state.h
//
// What the verifier keeps per agent between attestation cycles (DESIGN.md
// "One attestation cycle" step 6): the IMA replay position and running
// PCR 10, the keys learned from the log this boot, the boot id last seen,
// whether its boot log was checked, the clock of the last accepted quote
// and the number of cycles whose quote verified. EvaluateCycle (cycle.h)
// reads one and returns the next.
//
// Persisted as the serialized proto candor.internal.v1.AgentAttestationState
// (protos/candor/internal/v1/attest_state.proto): SerializeState/ParseState.
// Learned keys are stored as DER SubjectPublicKeyInfo plus their keyid and
// keyring; ParseState re-parses the key and keeps the stored keyid (a key
// that came in a certificate is named by its subject key identifier, which
// the SPKI alone cannot give back).
//
// Errors: ParseState answers INVALID_ARGUMENT naming the field when the
// bytes do not parse, a bank is unknown, PCR 10 has the wrong size or a
// learned key does not parse. Plain values; thread-compatible.
#ifndef CANDOR_LIB_ATTEST_ATTEST_STATE_H_
#define CANDOR_LIB_ATTEST_ATTEST_STATE_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/ima/replay.h"
#include "lib/policy/runtime/evaluator.h"
#include "lib/quote/attest.h"

namespace candor::attest {

struct AgentAttestationState {
  // IMA replay position of this boot (bank, running PCR 10, next entry,
  // extend mode).
  ima::ReplayState ima;
  // Keys learned from ima-buf keyring entries up to ima.next_entry.
  policy::EvalState eval;
  // The kernel boot id last seen; empty before the first cycle.
  std::string boot_id;
  // The boot log of boot_id was checked and passed, or the machine has none
  // and no boot policy asks for one.
  bool boot_log_checked = false;
  // clockInfo of the last quote accepted; nullopt before the first.
  std::optional<quote::ClockInfo> clock;
  // Cycles whose quote verified.
  uint64_t attestation_count = 0;

  // The state of a newly added agent: IMA at boot on `ima_bank`.
  // INVALID_ARGUMENT for a bank ReplayState::AtBoot refuses.
  static absl::StatusOr<AgentAttestationState> Initial(
      TPM2_ALG_ID ima_bank = TPM2_ALG_SHA256);
};

// What the verifier asks in the next EvidenceRequest.
inline uint64_t ImaStartEntry(const AgentAttestationState& s) {
  return s.ima.next_entry;
}
inline bool WantBootLog(const AgentAttestationState& s) {
  return !s.boot_log_checked;
}

// Bytes of candor.internal.v1.AgentAttestationState.
std::string SerializeState(const AgentAttestationState& state);
absl::StatusOr<AgentAttestationState> ParseState(absl::string_view bytes);

}  // namespace candor::attest

#endif  // CANDOR_LIB_ATTEST_ATTEST_STATE_H_
