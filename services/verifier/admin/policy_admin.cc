#include "services/verifier/admin/policy_admin.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/crypto/digest.h"
#include "lib/status/status_macros.h"
#include "services/verifier/admin/admin_events.h"
#include "services/verifier/store/policy_validation.h"

namespace candor::verifier {
namespace {

// Refuses oversized content before hashing or parsing it, and a wrong
// expected_sha256 before the (expensive) parse.
absl::Status CheckContent(v1::PolicyKind kind, const std::string& content,
                          const std::string& expected_sha256) {
  if (content.size() > kMaxPolicyContentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("content: ", content.size(), " bytes, over the limit of ",
                     kMaxPolicyContentBytes, " bytes (100 MiB)"));
  }
  if (!expected_sha256.empty()) {
    ABSL_RETURN_IF_ERROR(
        CheckExpectedSha256(expected_sha256, crypto::Sha256(content)));
  }
  return ValidatePolicy(kind, content);
}

}  // namespace

absl::StatusOr<v1::PolicyVersion> PolicyAdmin::ToProto(
    const PolicyVersionInfo& info, uint32_t latest_version) {
  v1::PolicyVersion out;
  out.set_name(info.name);
  out.set_kind(info.kind);
  out.set_version(info.version);
  out.set_sha256(info.sha256);
  out.set_size_bytes(info.size_bytes);
  *out.mutable_created_at() = ToTimestamp(info.created_at);
  ABSL_ASSIGN_OR_RETURN(uint32_t using_count,
                        agents_->CountAgentsUsingPolicyVersion(
                            info.name, info.version, latest_version));
  out.set_agents_using(using_count);
  return out;
}

absl::StatusOr<v1::PolicyVersion> PolicyAdmin::Create(
    const v1::CreatePolicyRequest& request) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(request.name()));
  ABSL_RETURN_IF_ERROR(ValidatePolicyKind(request.kind()));
  ABSL_RETURN_IF_ERROR(CheckContent(request.kind(), request.content(),
                                    request.expected_sha256()));
  ABSL_ASSIGN_OR_RETURN(
      PolicyVersionInfo info,
      policies_->Create(request.name(), request.kind(), request.content(),
                        request.expected_sha256()));
  return ToProto(info, info.version);
}

absl::StatusOr<v1::GetPolicyResponse> PolicyAdmin::Get(
    const v1::GetPolicyRequest& request) {
  ABSL_ASSIGN_OR_RETURN(StoredPolicy p,
                        policies_->Get(request.name(), request.version(),
                                       request.include_content()));
  uint32_t latest = p.info.version;
  if (request.version() != 0) {
    ABSL_ASSIGN_OR_RETURN(StoredPolicy l,
                          policies_->Get(request.name(), 0, false));
    latest = l.info.version;
  }
  v1::GetPolicyResponse out;
  ABSL_ASSIGN_OR_RETURN(*out.mutable_policy(), ToProto(p.info, latest));
  out.set_content(std::move(p.content));
  return out;
}

absl::StatusOr<v1::ListPoliciesResponse> PolicyAdmin::List(
    const v1::ListPoliciesRequest& request) {
  if (!v1::PolicyKind_IsValid(request.kind())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "kind: ", static_cast<int>(request.kind()), " is not a policy kind"));
  }
  ABSL_ASSIGN_OR_RETURN(PolicyPage page,
                        policies_->List(request.kind(), request.page_size(),
                                        request.page_token()));
  v1::ListPoliciesResponse out;
  for (const PolicyVersionInfo& info : page.policies) {
    ABSL_ASSIGN_OR_RETURN(*out.add_policies(), ToProto(info, info.version));
  }
  out.set_next_page_token(page.next_page_token);
  return out;
}

absl::StatusOr<v1::PolicyVersion> PolicyAdmin::Update(
    const v1::UpdatePolicyRequest& request) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(request.name()));
  ABSL_ASSIGN_OR_RETURN(StoredPolicy current,
                        policies_->Get(request.name(), 0, false));
  ABSL_RETURN_IF_ERROR(CheckContent(current.info.kind, request.content(),
                                    request.expected_sha256()));
  ABSL_ASSIGN_OR_RETURN(PolicyVersionInfo info,
                        policies_->Update(request.name(), request.content(),
                                          request.expected_sha256()));
  return ToProto(info, info.version);
}

absl::Status PolicyAdmin::Delete(const v1::DeletePolicyRequest& request) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(request.name()));
  ABSL_ASSIGN_OR_RETURN(
      std::vector<std::string> users,
      agents_->AgentsUsingPolicy(request.name(), kMaxAgentsNamedInRefusal + 1));
  if (!users.empty()) {
    const bool more = users.size() > kMaxAgentsNamedInRefusal;
    if (more) users.resize(kMaxAgentsNamedInRefusal);
    return absl::FailedPreconditionError(absl::StrCat(
        "policy \"", request.name(), "\" is still used by agent",
        users.size() > 1 ? "s " : " ", absl::StrJoin(users, ", "),
        more ? " and more" : "",
        ": point them at another policy (UpdateAgent) or delete them first"));
  }
  return policies_->Delete(request.name());
}

}  // namespace candor::verifier
