// File: services/verifier/admin/attest_reset.h
//
// Restarting an agent's IMA replay from the admin RPCs (verifier.proto
// ReactivateAgent: "IMA replay restarted from entry 0 and the boot log
// checked again"; UpdateAgent: a change of the quoted bank of PCR 10).
// Works on the serialized lib/attest AgentAttestationState the store keeps.
//
// The result is AgentAttestationState::Initial(ima_bank) — entry 0, PCR 10
// all zeros, extend mode to detect, learned keys dropped, boot log not
// checked — keeping from the stored state the TPM clock info (resetCount /
// restartCount must still never go back), the boot id last seen (so a
// reactivation is not reported as a reboot) and the count of verified
// quotes. A stored state that does not parse is replaced by a fresh one
// (`*stored_state_was_malformed` set when not null): a reactivation must be
// able to recover an agent whatever its row holds. INVALID_ARGUMENT only for
// an unknown `ima_bank`. Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_ATTEST_RESET_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_ATTEST_RESET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"

namespace candor::verifier {

// A serialized fresh state for a newly added agent.
absl::StatusOr<std::string> InitialAttestState(v1::HashAlgorithm ima_bank);

absl::StatusOr<std::string> ResetImaReplay(
    absl::string_view stored_state, v1::HashAlgorithm ima_bank,
    bool* stored_state_was_malformed = nullptr);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_ATTEST_RESET_H_
