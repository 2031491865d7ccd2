#include "lib/pg/pool.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::pg {

PgPool::PgPool(std::vector<std::unique_ptr<Connection>> all,
               std::string description)
    : all_(std::move(all)), description_(std::move(description)) {
  for (const auto& c : all_) free_.push_back(c.get());
}

absl::StatusOr<std::unique_ptr<PgPool>> PgPool::Create(
    const std::string& conninfo, size_t size) {
  if (size == 0) {
    return absl::InvalidArgumentError("PostgreSQL pool size must be >= 1");
  }
  std::vector<std::unique_ptr<Connection>> all;
  for (size_t i = 0; i < size; ++i) {
    absl::StatusOr<std::unique_ptr<Connection>> c =
        Connection::Open(conninfo);
    if (!c.ok()) return c.status();
    all.push_back(std::move(*c));
  }
  std::string description = all.front()->description();
  return std::unique_ptr<PgPool>(new PgPool(std::move(all), description));
}

absl::StatusOr<PgPool::Lease> PgPool::Acquire(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  bool (*available)(std::vector<Connection*>*) =
      [](std::vector<Connection*>* f) { return !f->empty(); };
  if (!mu_.AwaitWithTimeout(absl::Condition(available, &free_), timeout)) {
    return absl::UnavailableError(absl::StrCat(
        "all ", all_.size(), " PostgreSQL connections to ", description_,
        " stayed busy for ", absl::FormatDuration(timeout)));
  }
  Connection* conn = free_.back();
  free_.pop_back();
  return Lease(this, conn);
}

void PgPool::Release(Connection* conn) {
  absl::MutexLock lock(&mu_);
  free_.push_back(conn);
}

}  // namespace candor::pg
