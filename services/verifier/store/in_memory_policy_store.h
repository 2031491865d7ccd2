// File: services/verifier/store/in_memory_policy_store.h
//
// PolicyStore in process memory: a fake for tests and single-process demos,
// keeping the whole PolicyStore contract (policy_store.h), including content
// stored once per SHA-256 and removed with its last reference. created_at is
// absl::Now(). Thread-safe (one mutex).
#ifndef CANDOR_SERVICES_VERIFIER_STORE_IN_MEMORY_POLICY_STORE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_IN_MEMORY_POLICY_STORE_H_

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

class InMemoryPolicyStore final : public PolicyStore {
 public:
  absl::StatusOr<PolicyVersionInfo> Create(
      absl::string_view name, v1::PolicyKind kind, absl::string_view content,
      absl::string_view expected_sha256) override;
  absl::StatusOr<PolicyVersionInfo> Update(
      absl::string_view name, absl::string_view content,
      absl::string_view expected_sha256) override;
  absl::StatusOr<StoredPolicy> Get(absl::string_view name, uint32_t version,
                                   bool include_content) override;
  absl::StatusOr<PolicyPage> List(v1::PolicyKind kind, uint32_t page_size,
                                  absl::string_view page_token) override;
  absl::Status Delete(absl::string_view name) override;

  // How many distinct contents are stored (for tests of "stored once").
  size_t ContentCount() const;

 private:
  struct Content {
    std::string bytes;
    size_t references = 0;
  };
  // Adds a version of `name` referencing `content` (hashing it).
  PolicyVersionInfo AddVersion(std::vector<PolicyVersionInfo>& versions,
                               absl::string_view name, v1::PolicyKind kind,
                               absl::string_view content,
                               const std::string& sha256)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // Ordered by name (bytewise, as PostgreSQL's "C" collation).
  std::map<std::string, std::vector<PolicyVersionInfo>> policies_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Content> contents_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_IN_MEMORY_POLICY_STORE_H_
