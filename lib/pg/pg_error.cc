#include "lib/pg/pg_error.h"

#include <pqxx/pqxx>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace candor::pg {

absl::StatusCode CodeForSqlState(absl::string_view s) {
  if (s == "23505") return absl::StatusCode::kAlreadyExists;
  if (s == "40001" || s == "40P01") return absl::StatusCode::kAborted;
  if (s == "57014") return absl::StatusCode::kDeadlineExceeded;
  if (absl::StartsWith(s, "23")) return absl::StatusCode::kFailedPrecondition;
  if (absl::StartsWith(s, "22")) return absl::StatusCode::kInvalidArgument;
  if (absl::StartsWith(s, "53")) return absl::StatusCode::kResourceExhausted;
  if (absl::StartsWith(s, "08") || absl::StartsWith(s, "57P")) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

absl::Status PgError(const std::exception& e, absl::string_view what) {
  std::string msg(absl::StripAsciiWhitespace(e.what()));
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return absl::UnknownError(
        absl::StrCat(what, ": commit outcome unknown: ", msg));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(
        absl::StrCat(what, ": database connection lost: ", msg));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    std::string state = sql->sqlstate();
    return absl::Status(CodeForSqlState(state),
                        absl::StrCat(what, ": ", msg, " (SQLSTATE ", state,
                                     ")"));
  }
  return absl::InternalError(absl::StrCat(what, ": ", msg));
}

}  // namespace candor::pg
