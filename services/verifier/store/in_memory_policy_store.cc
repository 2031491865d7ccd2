#include "services/verifier/store/in_memory_policy_store.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/crypto/digest.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {

PolicyVersionInfo InMemoryPolicyStore::AddVersion(
    std::vector<PolicyVersionInfo>& versions, absl::string_view name,
    v1::PolicyKind kind, absl::string_view content, const std::string& sha256) {
  Content& c = contents_[sha256];
  if (c.references++ == 0) c.bytes = std::string(content);
  PolicyVersionInfo info;
  info.name = std::string(name);
  info.kind = kind;
  info.version = versions.empty() ? 1 : versions.back().version + 1;
  info.sha256 = sha256;
  info.size_bytes = content.size();
  info.created_at = absl::Now();
  versions.push_back(info);
  return info;
}

absl::StatusOr<PolicyVersionInfo> InMemoryPolicyStore::Create(
    absl::string_view name, v1::PolicyKind kind, absl::string_view content,
    absl::string_view expected_sha256) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "CreatePolicy";
  ABSL_RETURN_IF_ERROR(ValidatePolicyKind(kind)) << "CreatePolicy";
  const std::string sha256 = crypto::Sha256(content);
  ABSL_RETURN_IF_ERROR(CheckExpectedSha256(expected_sha256, sha256))
      << "CreatePolicy " << name;
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = policies_.try_emplace(std::string(name));
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat("CreatePolicy: policy ", name,
                                                 " exists (use UpdatePolicy)"));
  }
  return AddVersion(it->second, name, kind, content, sha256);
}

absl::StatusOr<PolicyVersionInfo> InMemoryPolicyStore::Update(
    absl::string_view name, absl::string_view content,
    absl::string_view expected_sha256) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "UpdatePolicy";
  const std::string sha256 = crypto::Sha256(content);
  ABSL_RETURN_IF_ERROR(CheckExpectedSha256(expected_sha256, sha256))
      << "UpdatePolicy " << name;
  absl::MutexLock lock(&mu_);
  auto it = policies_.find(std::string(name));
  if (it == policies_.end()) {
    return absl::NotFoundError(
        absl::StrCat("UpdatePolicy: no policy named ", name));
  }
  const PolicyVersionInfo& latest = it->second.back();
  if (latest.sha256 == sha256) return latest;
  return AddVersion(it->second, name, latest.kind, content, sha256);
}

absl::StatusOr<StoredPolicy> InMemoryPolicyStore::Get(absl::string_view name,
                                                      uint32_t version,
                                                      bool include_content) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "GetPolicy";
  absl::MutexLock lock(&mu_);
  auto it = policies_.find(std::string(name));
  if (it == policies_.end()) {
    return absl::NotFoundError(
        absl::StrCat("GetPolicy: no policy named ", name));
  }
  const std::vector<PolicyVersionInfo>& versions = it->second;
  const PolicyVersionInfo* found = nullptr;
  if (version == 0) {
    found = &versions.back();
  } else {
    for (const PolicyVersionInfo& v : versions) {
      if (v.version == version) found = &v;
    }
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("GetPolicy: policy ", name, " has no version ", version));
  }
  StoredPolicy out{*found, {}};
  if (include_content) out.content = contents_.at(found->sha256).bytes;
  return out;
}

absl::StatusOr<PolicyPage> InMemoryPolicyStore::List(
    v1::PolicyKind kind, uint32_t page_size, absl::string_view page_token) {
  ABSL_ASSIGN_OR_RETURN(std::string after,
                        DecodePolicyPageToken(kind, page_token),
                        _ << "ListPolicies");
  const size_t limit = EffectivePolicyPageSize(page_size);
  absl::MutexLock lock(&mu_);
  PolicyPage page;
  for (auto it = policies_.upper_bound(after); it != policies_.end(); ++it) {
    const PolicyVersionInfo& latest = it->second.back();
    if (kind != v1::POLICY_KIND_UNSPECIFIED && latest.kind != kind) continue;
    if (page.policies.size() == limit) {
      page.next_page_token =
          EncodePolicyPageToken(kind, page.policies.back().name);
      break;
    }
    page.policies.push_back(latest);
  }
  return page;
}

absl::Status InMemoryPolicyStore::Delete(absl::string_view name) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "DeletePolicy";
  absl::MutexLock lock(&mu_);
  auto it = policies_.find(std::string(name));
  if (it == policies_.end()) {
    return absl::NotFoundError(
        absl::StrCat("DeletePolicy: no policy named ", name));
  }
  for (const PolicyVersionInfo& v : it->second) {
    auto c = contents_.find(v.sha256);
    if (--c->second.references == 0) contents_.erase(c);
  }
  policies_.erase(it);
  return absl::OkStatus();
}

size_t InMemoryPolicyStore::ContentCount() const {
  absl::MutexLock lock(&mu_);
  return contents_.size();
}

}  // namespace candor::verifier
