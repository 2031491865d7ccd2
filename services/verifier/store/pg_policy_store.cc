#include "services/verifier/store/pg_policy_store.h"

#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/crypto/digest.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {
namespace {

// pg_advisory_xact_lock(class, hashtext(key)): per policy name, and per
// content SHA-256 (hex).
constexpr int kNameLockClass = 0x504F4C4E;     // "POLN"
constexpr int kContentLockClass = 0x504F4C43;  // "POLC"

constexpr char kMeta[] =
    "p.name, p.version, p.kind, p.sha256, c.size, "
    "(EXTRACT(EPOCH FROM p.created_at) * 1000000)::bigint";
constexpr char kFrom[] =
    " FROM policies p JOIN policy_contents c ON c.sha256 = p.sha256 ";

std::string Bytes(const pqxx::field& f) {
  return f.is_null() ? std::string() : pqxx::binarystring(f).str();
}

PolicyVersionInfo FromRow(const pqxx::row& row) {
  PolicyVersionInfo info;
  info.name = row[0].as<std::string>();
  info.version = row[1].as<uint32_t>();
  info.kind = static_cast<v1::PolicyKind>(row[2].as<int>());
  info.sha256 = Bytes(row[3]);
  info.size_bytes = row[4].as<uint64_t>();
  info.created_at = absl::FromUnixMicros(row[5].as<int64_t>());
  return info;
}

void LockName(pqxx::work& tx, const std::string& name) {
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))",
                 kNameLockClass, name);
}

void LockContent(pqxx::work& tx, const std::string& sha256) {
  tx.exec_params(
      "SELECT pg_advisory_xact_lock($1, hashtext(encode($2, 'hex')))",
      kContentLockClass, pqxx::binarystring(sha256));
}

absl::StatusOr<PolicyVersionInfo> SelectVersion(pqxx::work& tx,
                                                const std::string& name,
                                                uint32_t version) {
  pqxx::result rows =
      tx.exec_params(absl::StrCat("SELECT ", kMeta, kFrom,
                                  "WHERE p.name = $1 AND p.version = $2"),
                     name, static_cast<int64_t>(version));
  if (rows.empty()) {
    return absl::InternalError(
        absl::StrCat("policies: version ", version, " of ", name, " vanished"));
  }
  return FromRow(rows[0]);
}

// Adds version `version` of `name`, storing the content unless a row with
// its SHA-256 exists (then the bytes are not even sent).
absl::StatusOr<PolicyVersionInfo> InsertVersion(
    pqxx::work& tx, const std::string& name, uint32_t version,
    v1::PolicyKind kind, absl::string_view content, const std::string& sha256) {
  LockContent(tx, sha256);
  pqxx::result have =
      tx.exec_params("SELECT 1 FROM policy_contents WHERE sha256 = $1",
                     pqxx::binarystring(sha256));
  if (have.empty()) {
    tx.exec_params(
        "INSERT INTO policy_contents (sha256, kind, content, size) "
        "VALUES ($1, $2, $3, $4)",
        pqxx::binarystring(sha256), static_cast<int>(kind),
        pqxx::binarystring(content.data(), content.size()),
        static_cast<int64_t>(content.size()));
  }
  tx.exec_params(
      "INSERT INTO policies (name, version, kind, sha256) "
      "VALUES ($1, $2, $3, $4)",
      name, static_cast<int64_t>(version), static_cast<int>(kind),
      pqxx::binarystring(sha256));
  return SelectVersion(tx, name, version);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgPolicyStore>> PgPolicyStore::Open(
    const std::string& conninfo, size_t pool_size) {
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<pg::PgPool> pool,
                        pg::PgPool::Create(conninfo, pool_size));
  ABSL_RETURN_IF_ERROR(ApplyVerifierMigrations(*pool));
  return std::unique_ptr<PgPolicyStore>(new PgPolicyStore(std::move(pool)));
}

absl::Status PgPolicyStore::Transact(
    absl::string_view what, bool read_only,
    const std::function<absl::Status(pqxx::work&)>& fn) {
  int aborted = 0, lost = 0;
  for (;;) {
    ABSL_ASSIGN_OR_RETURN(pg::PgPool::Lease conn, pool_->Acquire());
    absl::Status s = conn->Transact(what, fn);
    if (s.code() == absl::StatusCode::kAborted && ++aborted < 3) continue;
    if (read_only && s.code() == absl::StatusCode::kUnavailable && ++lost < 2) {
      continue;
    }
    return s;
  }
}

absl::StatusOr<PolicyVersionInfo> PgPolicyStore::Create(
    absl::string_view name, v1::PolicyKind kind, absl::string_view content,
    absl::string_view expected_sha256) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "CreatePolicy";
  ABSL_RETURN_IF_ERROR(ValidatePolicyKind(kind)) << "CreatePolicy";
  const std::string sha256 = crypto::Sha256(content);
  ABSL_RETURN_IF_ERROR(CheckExpectedSha256(expected_sha256, sha256))
      << "CreatePolicy " << name;
  const std::string n(name);
  PolicyVersionInfo out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: create policy ", n), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        LockName(tx, n);
        if (!tx.exec_params("SELECT 1 FROM policies WHERE name = $1 LIMIT 1", n)
                 .empty()) {
          return absl::AlreadyExistsError(absl::StrCat(
              "CreatePolicy: policy ", n, " exists (use UpdatePolicy)"));
        }
        ABSL_ASSIGN_OR_RETURN(out,
                              InsertVersion(tx, n, 1, kind, content, sha256));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<PolicyVersionInfo> PgPolicyStore::Update(
    absl::string_view name, absl::string_view content,
    absl::string_view expected_sha256) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "UpdatePolicy";
  const std::string sha256 = crypto::Sha256(content);
  ABSL_RETURN_IF_ERROR(CheckExpectedSha256(expected_sha256, sha256))
      << "UpdatePolicy " << name;
  const std::string n(name);
  PolicyVersionInfo out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: update policy ", n), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        LockName(tx, n);
        pqxx::result latest = tx.exec_params(
            "SELECT version, kind, sha256 FROM policies WHERE name = $1 "
            "ORDER BY version DESC LIMIT 1 FOR UPDATE",
            n);
        if (latest.empty()) {
          return absl::NotFoundError(
              absl::StrCat("UpdatePolicy: no policy named ", n));
        }
        const uint32_t version = latest[0][0].as<uint32_t>();
        if (Bytes(latest[0][2]) == sha256) {
          ABSL_ASSIGN_OR_RETURN(out, SelectVersion(tx, n, version));
          return absl::OkStatus();
        }
        const auto kind = static_cast<v1::PolicyKind>(latest[0][1].as<int>());
        ABSL_ASSIGN_OR_RETURN(
            out, InsertVersion(tx, n, version + 1, kind, content, sha256));
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<StoredPolicy> PgPolicyStore::Get(absl::string_view name,
                                                uint32_t version,
                                                bool include_content) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "GetPolicy";
  const std::string n(name);
  StoredPolicy out;
  ABSL_RETURN_IF_ERROR(Transact(
      absl::StrCat("verifier: get policy ", n), /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        const std::string query = absl::StrCat(
            "SELECT ", kMeta, include_content ? ", c.content" : "", kFrom,
            "WHERE p.name = $1 AND ($2 = 0 OR p.version = $2) "
            "ORDER BY p.version DESC LIMIT 1");
        pqxx::result rows =
            tx.exec_params(query, n, static_cast<int64_t>(version));
        if (rows.empty()) {
          if (version == 0 ||
              tx.exec_params("SELECT 1 FROM policies WHERE name = $1 LIMIT 1",
                             n)
                  .empty()) {
            return absl::NotFoundError(
                absl::StrCat("GetPolicy: no policy named ", n));
          }
          return absl::NotFoundError(absl::StrCat("GetPolicy: policy ", n,
                                                  " has no version ", version));
        }
        out.info = FromRow(rows[0]);
        if (include_content) out.content = Bytes(rows[0][6]);
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<PolicyPage> PgPolicyStore::List(v1::PolicyKind kind,
                                               uint32_t page_size,
                                               absl::string_view page_token) {
  ABSL_ASSIGN_OR_RETURN(std::string after,
                        DecodePolicyPageToken(kind, page_token),
                        _ << "ListPolicies");
  const uint32_t limit = EffectivePolicyPageSize(page_size);
  PolicyPage page;
  ABSL_RETURN_IF_ERROR(Transact(
      "verifier: list policies", /*read_only=*/true,
      [&](pqxx::work& tx) -> absl::Status {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT DISTINCT ON (p.name) ", kMeta, kFrom,
                         "WHERE p.name > $1 AND ($2 = 0 OR p.kind = $2) "
                         "ORDER BY p.name, p.version DESC LIMIT $3"),
            after, static_cast<int>(kind), static_cast<int64_t>(limit) + 1);
        page.policies.clear();
        for (const pqxx::row& row : rows) {
          if (page.policies.size() == limit) {
            page.next_page_token =
                EncodePolicyPageToken(kind, page.policies.back().name);
            break;
          }
          page.policies.push_back(FromRow(row));
        }
        return absl::OkStatus();
      }));
  return page;
}

absl::Status PgPolicyStore::Delete(absl::string_view name) {
  ABSL_RETURN_IF_ERROR(ValidatePolicyName(name)) << "DeletePolicy";
  const std::string n(name);
  return Transact(
      absl::StrCat("verifier: delete policy ", n), /*read_only=*/false,
      [&](pqxx::work& tx) -> absl::Status {
        LockName(tx, n);
        pqxx::result deleted = tx.exec_params(
            "DELETE FROM policies WHERE name = $1 RETURNING sha256", n);
        if (deleted.empty()) {
          return absl::NotFoundError(
              absl::StrCat("DeletePolicy: no policy named ", n));
        }
        std::vector<std::string> shas;
        for (const pqxx::row& row : deleted) shas.push_back(Bytes(row[0]));
        std::sort(shas.begin(), shas.end());
        shas.erase(std::unique(shas.begin(), shas.end()), shas.end());
        for (const std::string& sha : shas) {
          LockContent(tx, sha);  // then no transaction is adding a use of it
          tx.exec_params(
              "DELETE FROM policy_contents c WHERE c.sha256 = $1 AND NOT "
              "EXISTS (SELECT 1 FROM policies p WHERE p.sha256 = $1)",
              pqxx::binarystring(sha));
        }
        return absl::OkStatus();
      });
}

}  // namespace candor::verifier
