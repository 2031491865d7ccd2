// File: services/verifier/attestor/agent_plan.h
//
// What the loop derives once from an agent's stored configuration and
// identity, and reuses every cycle until the row changes: the parsed AK, the
// PCR selection to request (verifier.proto Agent.pcr_selections: the listed
// banks, default sha256, each with PCR 16, PCR 10 with a runtime policy,
// 0-9 with a boot policy, and the static policy's PCRs; the IMA bank is
// added when a runtime policy is set), the expected PCR 16 per requested
// bank (H_B(0…0 || H_B(transport key DER))), and the static PCR policy.
// Errors: INVALID_ARGUMENT naming what in the stored row is unusable (an AK
// that does not parse, a bank Candor cannot hash). Immutable; shareable.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_AGENT_PLAN_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_AGENT_PLAN_H_

#include <tss2/tss2_tpm2_types.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/policy/pcr/pcr_policy.h"
#include "lib/quote/ak_verifier.h"
#include "lib/tpm/pcr_values.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier {

struct AgentPlan {
  std::shared_ptr<const quote::AkVerifier> ak;
  tpm::PcrSelection selection;
  std::map<TPM2_ALG_ID, std::string> expected_pcr16;
  std::shared_ptr<const policy::PcrPolicy> pcr_policy;  // null: none
};

absl::StatusOr<AgentPlan> MakeAgentPlan(const AgentRecord& record,
                                        TPM2_ALG_ID ima_bank);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_AGENT_PLAN_H_
