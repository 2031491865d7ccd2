// File: services/verifier/attestor/policy_resolver.h
//
// Resolves an agent's policy reference (name, version 0 = latest) to the
// parsed policy and its version for one cycle. Metadata is looked up in the
// PolicyStore at most once per `ttl` per reference (not per agent or
// cycle), so an UpdatePolicy takes effect within `ttl`, at the following
// cycle of each follower; the parsed copy comes from the PolicyCache (one
// per content hash per process). Errors: NOT_FOUND (policy.not_found),
// INVALID_ARGUMENT / FAILED_PRECONDITION (policy.invalid), others
// (UNAVAILABLE: the database). `refresh` skips the cached lookup (the
// first cycle after an admin change of the agent, e.g. a reactivation that
// follows a policy update, must not use a lookup older than the change).
// Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_POLICY_RESOLVER_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_POLICY_RESOLVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "services/verifier/policy_cache.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

template <typename T>
struct Resolved {
  std::shared_ptr<const T> policy;
  uint32_t version = 0;
};

class PolicyResolver {
 public:
  PolicyResolver(PolicyStore* store, PolicyCache* cache, absl::Duration ttl,
                 std::function<absl::Time()> clock = absl::Now)
      : store_(store), cache_(cache), ttl_(ttl), clock_(std::move(clock)) {}

  absl::StatusOr<Resolved<policy::RuntimePolicy>> Runtime(
      const v1::PolicyRef& ref, bool refresh = false);
  absl::StatusOr<Resolved<policy::BootPolicy>> Boot(const v1::PolicyRef& ref,
                                                    bool refresh = false);
  // Forget cached lookups (e.g. after this replica served UpdatePolicy).
  void Invalidate();

 private:
  struct Entry {
    absl::Time fetched;
    uint32_t version = 0;
    std::shared_ptr<const void> policy;
  };
  template <typename T, typename Load>
  absl::StatusOr<Resolved<T>> Get(const v1::PolicyRef& ref, char kind,
                                  bool refresh, Load load);

  PolicyStore* const store_;
  PolicyCache* const cache_;
  const absl::Duration ttl_;
  const std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_POLICY_RESOLVER_H_
