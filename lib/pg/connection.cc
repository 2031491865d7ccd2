#include "lib/pg/connection.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/pg/pg_error.h"

namespace candor::pg {

std::string RedactConnInfo(absl::string_view conninfo) {
  std::vector<std::string> kept;
  for (absl::string_view part :
       absl::StrSplit(conninfo, ' ', absl::SkipWhitespace())) {
    for (absl::string_view key : {"host=", "hostaddr=", "port=", "dbname=",
                                  "user="}) {
      if (absl::StartsWith(part, key)) kept.emplace_back(part);
    }
  }
  if (kept.empty()) return "(connection string not shown)";
  return absl::StrJoin(kept, " ");
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const std::string& conninfo) {
  std::string description = RedactConnInfo(conninfo);
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo);
    return std::unique_ptr<Connection>(
        new Connection(conninfo, description, std::move(conn)));
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to PostgreSQL at ", description, ": ", e.what()));
  } catch (const std::exception& e) {
    return PgError(e, absl::StrCat("connect to PostgreSQL at ", description));
  }
}

absl::Status Connection::EnsureConnected() {
  if (conn_ != nullptr && conn_->is_open()) return absl::OkStatus();
  try {
    conn_ = std::make_unique<pqxx::connection>(conninfo_);
    return absl::OkStatus();
  } catch (const std::exception& e) {
    conn_.reset();
    return absl::UnavailableError(absl::StrCat(
        "cannot reconnect to PostgreSQL at ", description_, ": ", e.what()));
  }
}

absl::Status Connection::Transact(
    absl::string_view what,
    const std::function<absl::Status(pqxx::work&)>& fn) {
  absl::Status s = EnsureConnected();
  if (!s.ok()) return s;
  try {
    pqxx::work tx(*conn_);
    s = fn(tx);
    if (!s.ok()) {
      tx.abort();
      return s;
    }
    tx.commit();
    return absl::OkStatus();
  } catch (const std::exception& e) {
    absl::Status err = PgError(e, what);
    if (err.code() == absl::StatusCode::kUnavailable) conn_.reset();
    return err;
  }
}

absl::Status Connection::Run(
    absl::string_view what,
    const std::function<absl::Status(pqxx::connection&)>& fn) {
  absl::Status s = EnsureConnected();
  if (!s.ok()) return s;
  try {
    return fn(*conn_);
  } catch (const std::exception& e) {
    absl::Status err = PgError(e, what);
    if (err.code() == absl::StatusCode::kUnavailable) conn_.reset();
    return err;
  }
}

}  // namespace candor::pg
