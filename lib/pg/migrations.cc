#include "lib/pg/migrations.h"

#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"

namespace candor::pg {
namespace {

constexpr char kCreateTable[] =
    "CREATE TABLE IF NOT EXISTS candor_schema_migrations ("
    " component text NOT NULL,"
    " version integer NOT NULL,"
    " name text NOT NULL,"
    " sha256 text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (component, version))";

std::string Checksum(const Migration& m) {
  return absl::BytesToHexString(crypto::Sha256(m.sql));
}

absl::Status CheckNumbering(absl::string_view component,
                            absl::Span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i + 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          component, " migrations must be numbered 1..N without gaps; entry ",
          i, " (", migrations[i].name, ") has version ",
          migrations[i].version));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> ApplyMigrations(Connection& conn,
                                    absl::string_view component,
                                    absl::Span<const Migration> migrations) {
  absl::Status s = CheckNumbering(component, migrations);
  if (!s.ok()) return s;
  int version = 0;
  std::string what = absl::StrCat(component, ": apply schema migrations");
  s = conn.Transact(what, [&](pqxx::work& tx) -> absl::Status {
    // Serialize concurrent starters, also around the CREATE TABLE.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))",
                   absl::StrCat("candor.migrations.", component));
    tx.exec(kCreateTable);
    std::map<int, std::pair<std::string, std::string>> applied;
    pqxx::result rows = tx.exec_params(
        "SELECT version, name, sha256 FROM candor_schema_migrations "
        "WHERE component = $1 ORDER BY version",
        std::string(component));
    for (const auto& row : rows) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(),
                                   row[2].as<std::string>()};
    }
    if (!applied.empty() &&
        applied.rbegin()->first > static_cast<int>(migrations.size())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the ", component, " database schema is at version ",
          applied.rbegin()->first, ", newer than this binary knows (",
          migrations.size(), "): run a newer binary; downgrades are not "
          "supported"));
    }
    for (const Migration& m : migrations) {
      auto it = applied.find(m.version);
      if (it != applied.end()) {
        if (it->second.second != Checksum(m)) {
          return absl::FailedPreconditionError(absl::StrCat(
              component, " migration ", m.version, " (", m.name,
              ") was changed after it was applied to this database: "
              "migrations are append-only; add a new one instead"));
        }
        continue;
      }
      tx.exec(m.sql, absl::StrCat(component, " migration ", m.version));
      tx.exec_params(
          "INSERT INTO candor_schema_migrations (component, version, name, "
          "sha256) VALUES ($1, $2, $3, $4)",
          std::string(component), m.version, m.name, Checksum(m));
    }
    version = static_cast<int>(migrations.size());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return version;
}

absl::StatusOr<int> SchemaVersion(Connection& conn,
                                  absl::string_view component) {
  int version = 0;
  absl::Status s = conn.Transact(
      absl::StrCat(component, ": read schema version"),
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::result t = tx.exec(
            "SELECT to_regclass('candor_schema_migrations') IS NOT NULL");
        if (!t[0][0].as<bool>()) return absl::OkStatus();
        pqxx::result r = tx.exec_params(
            "SELECT COALESCE(MAX(version), 0) FROM candor_schema_migrations "
            "WHERE component = $1",
            std::string(component));
        version = r[0][0].as<int>();
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return version;
}

}  // namespace candor::pg
