// File: services/verifier/policy_cache.h
//
// One parsed copy per process of every policy version in use (DESIGN.md
// "State": a 20 MB runtime policy shared by 10,000 agents is one row and one
// parsed copy per replica). Versions are content-addressed, so the cache is
// keyed by the content's SHA-256: the same content under several names or
// versions is parsed once. Entries are held weakly: a parsed policy lives as
// long as some agent holds the shared_ptr, and is parsed again on the next
// use after the last holder let it go. Concurrent first uses of the same
// content parse it once (the others wait for that parse).
//
// Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_POLICY_CACHE_H_
#define CANDOR_SERVICES_VERIFIER_POLICY_CACHE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

class PolicyCache {
 public:
  // `store` is not owned and must outlive the cache.
  explicit PolicyCache(PolicyStore* store) : store_(store) {}

  // The parsed runtime (or boot) policy `name` at `version` (0 = latest).
  // NOT_FOUND from the store; FAILED_PRECONDITION if `name` is a policy of
  // the other kind; INVALID_ARGUMENT if the stored content no longer parses
  // (it was validated when stored, so this means a newer parser refuses it).
  absl::StatusOr<std::shared_ptr<const policy::RuntimePolicy>> Runtime(
      absl::string_view name, uint32_t version);
  absl::StatusOr<std::shared_ptr<const policy::BootPolicy>> Boot(
      absl::string_view name, uint32_t version);

  // Parses performed so far (for tests and metrics).
  int parses() const;

 private:
  template <typename T>
  struct Slot {
    std::weak_ptr<const T> parsed;
  };
  template <typename T>
  absl::StatusOr<std::shared_ptr<const T>> Get(
      absl::string_view name, uint32_t version, v1::PolicyKind kind,
      absl::flat_hash_map<std::string, Slot<T>>& map)
      ABSL_NO_THREAD_SAFETY_ANALYSIS;  // locks mu_ itself
  // The content for name/version, checking its kind.
  absl::StatusOr<StoredPolicy> Fetch(absl::string_view name, uint32_t version,
                                     v1::PolicyKind kind, bool include_content);

  PolicyStore* const store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Slot<policy::RuntimePolicy>> runtime_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Slot<policy::BootPolicy>> boot_
      ABSL_GUARDED_BY(mu_);
  int parses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_POLICY_CACHE_H_
