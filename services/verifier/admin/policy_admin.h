// File: services/verifier/admin/policy_admin.h
//
// The policy half of VerifierService (verifier.proto CreatePolicy,
// GetPolicy, ListPolicies, UpdatePolicy, DeletePolicy) over the PolicyStore
// (policy_store.h) and the AgentStore (who uses a policy):
//   - Create/Update check expected_sha256 first (cheap), then the content
//     (policy_validation.h: 100 MiB limit, the parser's message naming the
//     JSON field and index), then store it. Update validates against the
//     existing policy's kind (NOT_FOUND when there is none).
//   - Every PolicyVersion returned carries agents_using
//     (AgentStore::CountAgentsUsingPolicyVersion: pinned to it, or following
//     the latest when it is the latest).
//   - Delete answers FAILED_PRECONDITION naming up to 10 agents (and saying
//     when there are more) while any agent references the policy. The check
//     and the delete are two transactions: an AddAgent racing with the
//     delete may leave an agent referencing a deleted policy, which its
//     cycles then report as policy.not_found.
// Errors are the stores' (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
// UNAVAILABLE, ...) with their messages. Thread-safe; nothing is owned.
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_POLICY_ADMIN_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_POLICY_ADMIN_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "candor/v1/verifier.pb.h"
#include "services/verifier/store/agent_store.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

// How many agents DeletePolicy's refusal names.
inline constexpr uint32_t kMaxAgentsNamedInRefusal = 10;

class PolicyAdmin {
 public:
  PolicyAdmin(PolicyStore* policies, AgentStore* agents)
      : policies_(policies), agents_(agents) {}

  absl::StatusOr<v1::PolicyVersion> Create(
      const v1::CreatePolicyRequest& request);
  absl::StatusOr<v1::GetPolicyResponse> Get(
      const v1::GetPolicyRequest& request);
  absl::StatusOr<v1::ListPoliciesResponse> List(
      const v1::ListPoliciesRequest& request);
  absl::StatusOr<v1::PolicyVersion> Update(
      const v1::UpdatePolicyRequest& request);
  absl::Status Delete(const v1::DeletePolicyRequest& request);

 private:
  // `info` as the API shows it, agents_using counted against
  // `latest_version`.
  absl::StatusOr<v1::PolicyVersion> ToProto(const PolicyVersionInfo& info,
                                            uint32_t latest_version);

  PolicyStore* const policies_;
  AgentStore* const agents_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_POLICY_ADMIN_H_
