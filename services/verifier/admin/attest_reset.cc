#include "services/verifier/admin/attest_reset.h"

#include <utility>

#include "lib/attest/attest_state.h"
#include "lib/convert/pcr_convert.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {
namespace {

absl::StatusOr<attest::AgentAttestationState> Initial(
    v1::HashAlgorithm ima_bank) {
  ABSL_ASSIGN_OR_RETURN(TPM2_ALG_ID bank, convert::BankFromProto(ima_bank),
                        _ << "IMA bank");
  return attest::AgentAttestationState::Initial(bank);
}

}  // namespace

absl::StatusOr<std::string> InitialAttestState(v1::HashAlgorithm ima_bank) {
  ABSL_ASSIGN_OR_RETURN(attest::AgentAttestationState s, Initial(ima_bank));
  return attest::SerializeState(s);
}

absl::StatusOr<std::string> ResetImaReplay(absl::string_view stored_state,
                                           v1::HashAlgorithm ima_bank,
                                           bool* stored_state_was_malformed) {
  ABSL_ASSIGN_OR_RETURN(attest::AgentAttestationState fresh, Initial(ima_bank));
  absl::StatusOr<attest::AgentAttestationState> old =
      attest::ParseState(stored_state);
  if (stored_state_was_malformed != nullptr) {
    *stored_state_was_malformed = !old.ok();
  }
  if (old.ok()) {
    fresh.clock = old->clock;
    fresh.boot_id = std::move(old->boot_id);
    fresh.attestation_count = old->attestation_count;
  }
  return attest::SerializeState(fresh);
}

}  // namespace candor::verifier
