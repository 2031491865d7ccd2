#include "services/registrar/store/in_memory_store.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::registrar {

absl::Status InMemoryRegistrarStore::Update(absl::string_view agent_id,
                                            const Mutation& mutation) {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(agent_id);
  std::optional<Registration> current;
  if (it != rows_.end()) current = it->second;
  absl::StatusOr<std::optional<Registration>> next =
      mutation(std::move(current));
  if (!next.ok()) return next.status();
  if (!next->has_value()) {
    if (it != rows_.end()) rows_.erase(it);
    return absl::OkStatus();
  }
  if ((*next)->agent_id != agent_id) {
    return absl::InternalError(absl::StrCat("registrar store: mutation of ",
                                            agent_id, " returned agent ",
                                            (*next)->agent_id));
  }
  rows_.insert_or_assign(std::string(agent_id), std::move(**next));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Registration>> InMemoryRegistrarStore::Get(
    absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(agent_id);
  if (it == rows_.end()) return std::optional<Registration>();
  return std::optional<Registration>(it->second);
}

absl::StatusOr<std::vector<Registration>> InMemoryRegistrarStore::List(
    absl::string_view after, size_t limit, v1::RegistrationState state) {
  absl::MutexLock lock(&mu_);
  std::vector<Registration> out;
  for (auto it = rows_.upper_bound(after);
       it != rows_.end() && out.size() < limit; ++it) {
    if (state != v1::REGISTRATION_STATE_UNSPECIFIED &&
        it->second.state() != state) {
      continue;
    }
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<bool> InMemoryRegistrarStore::Delete(
    absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  auto it = rows_.find(agent_id);
  if (it == rows_.end()) return false;
  rows_.erase(it);
  return true;
}

absl::StatusOr<size_t> InMemoryRegistrarStore::PurgeExpired(absl::Time cutoff) {
  absl::MutexLock lock(&mu_);
  size_t changed = 0;
  for (auto it = rows_.begin(); it != rows_.end();) {
    Registration& r = it->second;
    if (r.pending.has_value() && r.pending->expires_at < cutoff) {
      ++changed;
      if (!r.active.has_value()) {
        it = rows_.erase(it);
        continue;
      }
      r.pending.reset();
    }
    ++it;
  }
  return changed;
}

}  // namespace candor::registrar
