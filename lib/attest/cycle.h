// File: lib/attest/cycle.h
//
// One attestation cycle as the verifier evaluates it (DESIGN.md "One
// attestation cycle" steps 2-5; protos/candor/v1/README.md): from the
// agent's stored state, its policies, the cycle's nonce and requested
// selection, and the agent's Evidence (GetQuote), the findings and the state
// to persist. Pure: no I/O, no threads, no database, no clock.
//
// Order and rules:
//  1. Quote (lib/quote/verify.h) against the stored clockInfo. Any failure
//     (quote.*, or agent.invalid_response for PCR values that do not convert)
//     ends the cycle: the state is returned unchanged. quote.clock_unsafe is
//     a warning.
//  2. New boot: a boot id other than the stored one, ImaEntries.
//     restarted_from_zero, or a resetCount other than the stored one. The IMA
//     replay restarts at entry 0 (learned keys dropped) and the boot log is
//     needed again; agent.rebooted (info) is reported as a warning when a
//     stored boot id changed.
//  3. Boot log, when Evidence.boot_log is present: EventLog::Parse
//     (boot.log_malformed with the parser's message), CheckEventLog against
//     the quoted PCRs, then BootPolicy::Evaluate (null policy: accept-all).
//     When the verifier asked for the log (WantBootLog(state)) and none came:
//     boot.log_missing if a boot policy is set; without one the machine is
//     taken to have none and the question is settled for the boot.
//  4. IMA, when a runtime policy is set (null: no IMA check at all, the IMA
//     state is kept as is): the answer must start where asked
//     (ImaStartEntry(state)), or at 0 when restarted_from_zero, else
//     ima.invalid_entry_number; further pages (CycleInput::more_ima_pages)
//     must follow on. The lines are replayed from the stored state to the
//     quoted PCR 10 of the state's bank and each replayed entry is checked
//     against the policy (AppraiseImaLog); entries after the match are left
//     for the next cycle (next_entry advances by consumed entries only). When
//     the quote is not reached and the last page says `more`, there is no
//     ima.pcr_mismatch: more_ima_pages_needed is set and the verdict is
//     incomplete: fetch the page at ima_next_request_entry, append it to
//     more_ima_pages and evaluate the same input again. A new boot detected
//     in an answer that starts elsewhere than 0 cannot be replayed: IMA is
//     skipped, ima_restart_needed is set (persist new_state, whose replay is
//     back at entry 0, and run a new cycle at once; incomplete verdict).
//     The first entry (boot_aggregate) is checked against the quoted PCRs
//     0-9 when the quote has them all on the IMA bank, else it is looked up
//     in the policy like any path.
//  5. Static PCR policy (pcr.policy_mismatch, pcr.missing) and the PCR 16
//     transport-key binding per bank (pcr.transport_key_mismatch).
// Every finding is reported (every failing IMA entry, every PCR). Findings
// whose catalogue severity is at most WARNING (quote.clock_unsafe,
// ima.violation, agent.rebooted) go to `warnings`, all others (unknown ids
// included) to `failures`.
//
// State on failure: when `failures` is not empty the IMA replay state and
// the learned keys are NOT advanced (a reboot's reset to entry 0 is kept):
// the next cycle replays the same delta again and reports it again, so a
// failing entry is never skipped. boot_log_checked is set only when the boot
// checks passed. On a quote failure nothing changes (nothing in it is
// authentic); otherwise the quoted clockInfo and boot id are stored and
// attestation_count counts up.
//
// Errors (absl::Status) only for misuse or internal faults, never for bad
// evidence: null pointers in CycleInput, an invalid requested selection or
// empty nonce (VerifyQuote), a runtime policy with a requested selection
// lacking PCR 10 of the state's IMA bank, a malformed stored state, OpenSSL
// failures. Thread-safe for distinct arguments; policies and the AkVerifier
// may be shared.
#ifndef CANDOR_LIB_ATTEST_CYCLE_H_
#define CANDOR_LIB_ATTEST_CYCLE_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "lib/attest/attest_state.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/pcr/pcr_policy.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "lib/quote/ak_verifier.h"
#include "lib/tpm/pcr_values.h"

namespace candor::attest {

// Pointers are borrowed for the call; those marked required must be set.
struct CycleInput {
  const AgentAttestationState* state = nullptr;  // required
  const quote::AkVerifier* ak = nullptr;         // required
  absl::string_view nonce;                       // the cycle's nonce
  const tpm::PcrSelection* requested = nullptr;  // required
  const v1::Evidence* evidence = nullptr;        // required
  // IMA pages fetched after `evidence` (their quotes are not used), in order.
  const std::vector<v1::ImaEntries>* more_ima_pages = nullptr;
  const policy::RuntimePolicy* runtime = nullptr;  // null: no IMA check
  const policy::BootPolicy* boot = nullptr;        // null: accept-all
  const policy::PcrPolicy* pcr = nullptr;          // null: none
  // Expected PCR 16 per bank (README "Transport key binding"); empty: skip.
  std::map<TPM2_ALG_ID, std::string> expected_pcr16;
};

struct CycleResult {
  std::vector<v1::Failure> failures;
  std::vector<v1::Failure> warnings;
  AgentAttestationState new_state;
  // The next request should set want_boot_log (= WantBootLog(new_state)).
  bool boot_log_needed_next = false;
  // The next request's ima_start_entry.
  uint64_t ima_next_request_entry = 0;
  // The IMA check could not finish with the lines given: fetch from
  // ima_next_request_entry and evaluate again. The verdict is incomplete.
  bool more_ima_pages_needed = false;
  // A new boot was seen in an IMA answer that did not start at entry 0:
  // persist new_state and run a new cycle now. The verdict is incomplete.
  bool ima_restart_needed = false;

  // True when the verdict is complete and no finding (failure or warning;
  // the caller's severity policy may have re-ranked them) is at or above
  // `threshold`.
  bool passed_at(v1::Severity threshold) const;
};

absl::StatusOr<CycleResult> EvaluateCycle(const CycleInput& input);

}  // namespace candor::attest

#endif  // CANDOR_LIB_ATTEST_CYCLE_H_
