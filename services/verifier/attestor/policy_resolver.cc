#include "services/verifier/attestor/policy_resolver.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {

template <typename T, typename Load>
absl::StatusOr<Resolved<T>> PolicyResolver::Get(const v1::PolicyRef& ref,
                                                char kind, bool refresh,
                                                Load load) {
  const std::string key =
      absl::StrCat(std::string(1, kind), ref.name(), "@", ref.version());
  const absl::Time now = clock_();
  if (!refresh) {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && now - it->second.fetched < ttl_) {
      return Resolved<T>{std::static_pointer_cast<const T>(it->second.policy),
                         it->second.version};
    }
  }
  ABSL_ASSIGN_OR_RETURN(StoredPolicy meta,
                        store_->Get(ref.name(), ref.version(),
                                    /*include_content=*/false));
  ABSL_ASSIGN_OR_RETURN(std::shared_ptr<const T> parsed,
                        load(ref.name(), meta.info.version));
  absl::MutexLock lock(&mu_);
  entries_[key] = Entry{now, meta.info.version, parsed};
  return Resolved<T>{std::move(parsed), meta.info.version};
}

absl::StatusOr<Resolved<policy::RuntimePolicy>> PolicyResolver::Runtime(
    const v1::PolicyRef& ref, bool refresh) {
  return Get<policy::RuntimePolicy>(
      ref, 'r', refresh, [this](absl::string_view name, uint32_t version) {
        return cache_->Runtime(name, version);
      });
}

absl::StatusOr<Resolved<policy::BootPolicy>> PolicyResolver::Boot(
    const v1::PolicyRef& ref, bool refresh) {
  return Get<policy::BootPolicy>(
      ref, 'b', refresh, [this](absl::string_view name, uint32_t version) {
        return cache_->Boot(name, version);
      });
}

void PolicyResolver::Invalidate() {
  absl::MutexLock lock(&mu_);
  entries_.clear();
}

}  // namespace candor::verifier
