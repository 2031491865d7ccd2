// File: lib/pg/pg_error.h
//
// libpqxx reports errors by exception; Candor's APIs use absl::Status. This is
// the one place that maps them, by SQLSTATE class, keeping the server's
// message and naming what was being done:
//   broken connection, 08xxx, 57P0x      -> UNAVAILABLE (retry after reconnect)
//   23505 unique_violation               -> ALREADY_EXISTS
//   other 23xxx integrity violations     -> FAILED_PRECONDITION
//   40001 serialization, 40P01 deadlock  -> ABORTED (retry the transaction)
//   22xxx data exceptions                -> INVALID_ARGUMENT
//   53xxx insufficient resources         -> RESOURCE_EXHAUSTED
//   57014 query canceled                 -> DEADLINE_EXCEEDED
//   commit outcome unknown (in doubt)    -> UNKNOWN
//   anything else                        -> INTERNAL
#ifndef CANDOR_LIB_PG_PG_ERROR_H_
#define CANDOR_LIB_PG_PG_ERROR_H_

#include <exception>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace candor::pg {

// `what` names the operation ("verifier: claim leases").
absl::Status PgError(const std::exception& e, absl::string_view what);

// The status code for a SQLSTATE (5 characters), as listed above.
absl::StatusCode CodeForSqlState(absl::string_view sqlstate);

}  // namespace candor::pg

#endif  // CANDOR_LIB_PG_PG_ERROR_H_
