#include "services/verifier/policy_cache.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {
namespace {

// Parses `content` into a T, or returns the parser's error.
template <typename T>
absl::StatusOr<std::shared_ptr<const T>> Parse(const std::string& content);

template <>
absl::StatusOr<std::shared_ptr<const policy::RuntimePolicy>> Parse(
    const std::string& content) {
  ABSL_ASSIGN_OR_RETURN(policy::RuntimePolicy p,
                        policy::RuntimePolicy::Load(content));
  return std::make_shared<const policy::RuntimePolicy>(std::move(p));
}

template <>
absl::StatusOr<std::shared_ptr<const policy::BootPolicy>> Parse(
    const std::string& content) {
  ABSL_ASSIGN_OR_RETURN(policy::BootPolicy p, policy::BootPolicy::Parse(content));
  return std::make_shared<const policy::BootPolicy>(std::move(p));
}

absl::string_view KindName(v1::PolicyKind kind) {
  return kind == v1::POLICY_KIND_RUNTIME ? "runtime" : "boot";
}

}  // namespace

absl::StatusOr<StoredPolicy> PolicyCache::Fetch(absl::string_view name,
                                                uint32_t version,
                                                v1::PolicyKind kind,
                                                bool include_content) {
  ABSL_ASSIGN_OR_RETURN(StoredPolicy stored,
                        store_->Get(name, version, include_content));
  if (stored.info.kind != kind) {
    return absl::FailedPreconditionError(absl::StrCat(
        "policy '", name, "' is a ", KindName(stored.info.kind),
        " policy, not a ", KindName(kind), " policy"));
  }
  return stored;
}

// Looks up by content hash and parses on a miss. The parse runs under the
// lock so that concurrent first uses parse once; policies are parsed rarely
// (a new version), so the lock is not hot.
template <typename T>
absl::StatusOr<std::shared_ptr<const T>> PolicyCache::Get(
    absl::string_view name, uint32_t version, v1::PolicyKind kind,
    absl::flat_hash_map<std::string, Slot<T>>& map) {
  // Metadata first: a version already parsed is not fetched again.
  ABSL_ASSIGN_OR_RETURN(StoredPolicy meta,
                        Fetch(name, version, kind, /*include_content=*/false));
  {
    absl::MutexLock lock(&mu_);
    auto it = map.find(meta.info.sha256);
    if (it != map.end()) {
      if (std::shared_ptr<const T> live = it->second.parsed.lock()) return live;
    }
  }
  ABSL_ASSIGN_OR_RETURN(
      StoredPolicy stored,
      Fetch(name, meta.info.version, kind, /*include_content=*/true));
  absl::MutexLock lock(&mu_);
  Slot<T>& slot = map[stored.info.sha256];
  if (std::shared_ptr<const T> live = slot.parsed.lock()) return live;
  absl::StatusOr<std::shared_ptr<const T>> parsed = Parse<T>(stored.content);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stored policy '", name, "' version ", stored.info.version,
        " no longer parses: ", parsed.status().message()));
  }
  ++parses_;
  slot.parsed = *parsed;
  return *parsed;
}

absl::StatusOr<std::shared_ptr<const policy::RuntimePolicy>>
PolicyCache::Runtime(absl::string_view name, uint32_t version) {
  return Get<policy::RuntimePolicy>(name, version, v1::POLICY_KIND_RUNTIME,
                                    runtime_);
}

absl::StatusOr<std::shared_ptr<const policy::BootPolicy>> PolicyCache::Boot(
    absl::string_view name, uint32_t version) {
  return Get<policy::BootPolicy>(name, version, v1::POLICY_KIND_BOOT, boot_);
}

int PolicyCache::parses() const {
  absl::MutexLock lock(&mu_);
  return parses_;
}

}  // namespace candor::verifier
