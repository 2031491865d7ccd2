// File: lib/pg/connection.h
//
// A PostgreSQL connection (libpqxx) behind absl::Status. libpqxx's exceptions
// never leave this library or the stores that use it: Transact() runs the
// caller's function in a transaction, commits when it returns OK, rolls back
// otherwise, and turns any exception into a Status (see pg_error.h).
//
//   ABSL_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(conninfo));
//   ABSL_RETURN_IF_ERROR(conn->Transact("registrar: insert", [&](pqxx::work& tx) {
//     tx.exec_params("INSERT INTO t (id) VALUES ($1)", id);
//     return absl::OkStatus();
//   }));
//
// A lost connection makes the call fail with UNAVAILABLE; the next call
// reconnects. Not thread-safe: use one Connection per thread (or a pool).
#ifndef CANDOR_LIB_PG_CONNECTION_H_
#define CANDOR_LIB_PG_CONNECTION_H_

#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::pg {

class Connection {
 public:
  // Connects. UNAVAILABLE (with libpq's reason) when the server cannot be
  // reached; the message never contains a password from `conninfo`.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& conninfo);

  // Runs `fn` in a read-committed transaction named `what` (for errors).
  absl::Status Transact(absl::string_view what,
                        const std::function<absl::Status(pqxx::work&)>& fn);

  // Runs `fn` outside a transaction block (for statements that refuse to run
  // in one, and for LISTEN). Exceptions are mapped as in Transact.
  absl::Status Run(absl::string_view what,
                   const std::function<absl::Status(pqxx::connection&)>& fn);

  // The host/port/dbname part of the connection string, safe to log.
  const std::string& description() const { return description_; }

 private:
  Connection(std::string conninfo, std::string description,
             std::unique_ptr<pqxx::connection> conn)
      : conninfo_(std::move(conninfo)),
        description_(std::move(description)),
        conn_(std::move(conn)) {}
  absl::Status EnsureConnected();

  const std::string conninfo_;
  const std::string description_;
  std::unique_ptr<pqxx::connection> conn_;
};

// "host=… port=… dbname=…" without password or other secrets.
std::string RedactConnInfo(absl::string_view conninfo);

}  // namespace candor::pg

#endif  // CANDOR_LIB_PG_CONNECTION_H_
