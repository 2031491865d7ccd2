// Secure Boot key databases (PCR 7): PK, KEK and db must hold only keys the
// reference state lists; dbx must hold at least the entries it lists.
#include <set>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/crypto/digest.h"
#include "lib/eventlog/uefi.h"
#include "lib/failure/catalogue.h"
#include "lib/policy/boot/evaluate.h"

namespace candor::policy::boot_internal {
namespace {

using eventlog::Event;
using eventlog::Guid;
using Key = std::pair<Guid, std::string>;

// Both spellings of each owner GUID (keylime#1003), so a state written by old
// tpm2-tools matches too.
std::set<Key> KeySet(const std::vector<SignatureSpec>& specs) {
  std::set<Key> out;
  for (const SignatureSpec& s : specs) {
    out.insert({s.owner, s.data});
    out.insert({s.owner.ByteSwapped(), s.data});
  }
  return out;
}

std::string KeyText(const eventlog::SignatureData& sig) {
  return absl::StrCat("owner ", sig.owner.ToString(), " data sha256 ",
                      absl::BytesToHexString(crypto::Sha256(sig.data)));
}

struct Database {
  const char* name;  // as in the log and the state
  absl::string_view id;
  const std::vector<const Event*>& events;
  const std::vector<SignatureSpec>& allowed;
  std::vector<Guid> types;  // allowed signature types
};

// The event's signature lists, or a reason they cannot be trusted.
std::string Lists(const Event& e, std::vector<eventlog::SignatureList>* out) {
  if (!DigestsCover(e, e.data)) return "its digest does not cover its data";
  auto lists = eventlog::ParseSignatureLists(e.variable->data);
  if (!lists.ok()) return std::string(lists.status().message());
  *out = *std::move(lists);
  return "";
}

void CheckSubset(const Database& db, Failures* out) {
  std::set<Key> allowed = KeySet(db.allowed);
  for (const Event* e : db.events) {
    std::vector<eventlog::SignatureList> lists;
    std::string why = Lists(*e, &lists);
    std::vector<std::string> bad;
    std::string first;
    for (const eventlog::SignatureList& list : lists) {
      bool type_ok = false;
      for (const Guid& t : db.types) type_ok = type_ok || list.type == t;
      for (const eventlog::SignatureData& sig : list.signatures) {
        if (type_ok && allowed.count({sig.owner, sig.data}) > 0) continue;
        if (first.empty())
          first = absl::BytesToHexString(crypto::Sha256(sig.data));
        bad.push_back(type_ok ? KeyText(sig)
                              : absl::StrCat(KeyText(sig), " of type ",
                                             list.type.ToString()));
      }
    }
    if (why.empty() && bad.empty()) continue;
    size_t n = bad.size();
    if (why.empty()) {
      if (bad.size() > 3) bad.resize(3);
      why = absl::StrCat(n, " key(s) not in the policy's ", db.name, ": ",
                         absl::StrJoin(bad, "; "), n > 3 ? "; ..." : "");
    }
    out->push_back(failure::MakeFailure(
        db.id, absl::StrCat(db.name, " (event ", e->number, ", PCR 7): ", why),
        {{"event", absl::StrCat(e->number)},
         {"pcr", "7"},
         {"variable", db.name},
         {"count", absl::StrCat(n)},
         {"got", first}}));
  }
}

void CheckDbx(const ReferenceState& s, const BootEvents& b, Failures* out) {
  if (s.dbx.empty()) return;
  std::set<Key> present;
  for (const Event* e : b.dbx) {
    std::vector<eventlog::SignatureList> lists;
    std::string why = Lists(*e, &lists);
    if (!why.empty()) {
      out->push_back(failure::MakeFailure(
          failure::kBootDbxMismatch,
          absl::StrCat("dbx (event ", e->number, ", PCR 7): ", why),
          {{"event", absl::StrCat(e->number)},
           {"pcr", "7"},
           {"variable", "dbx"}}));
      continue;
    }
    for (const auto& list : lists) {
      for (const auto& sig : list.signatures)
        present.insert({sig.owner, sig.data});
    }
  }
  std::vector<std::string> missing;
  std::string first;
  size_t n = 0;
  for (const SignatureSpec& want : s.dbx) {
    if (present.count({want.owner, want.data}) > 0 ||
        present.count({want.owner.ByteSwapped(), want.data}) > 0) {
      continue;
    }
    if (n++ == 0) first = absl::BytesToHexString(want.data);
    if (missing.size() < 3) {
      missing.push_back(absl::StrCat(want.owner.ToString(), " ",
                                     absl::BytesToHexString(want.data)));
    }
  }
  if (n == 0) return;
  out->push_back(failure::MakeFailure(
      failure::kBootDbxMismatch,
      absl::StrCat(b.dbx.empty() ? "the log has no dbx measurement; " : "",
                   "dbx lacks ", n, " of the policy's ", s.dbx.size(),
                   " entries: ", absl::StrJoin(missing, "; "),
                   n > 3 ? "; ..." : ""),
      {{"pcr", "7"},
       {"variable", "dbx"},
       {"count", absl::StrCat(n)},
       {"expected", first}}));
}

}  // namespace

void CheckKeys(const ReferenceState& s, const BootEvents& b, Failures* out) {
  const Guid x509 = eventlog::EfiCertX509Guid();
  const Guid sha256 = eventlog::EfiCertSha256Guid();
  Database dbs[] = {
      {"pk", failure::kBootPkMismatch, b.pk, s.pk, {x509}},
      {"kek", failure::kBootKekMismatch, b.kek, s.kek, {x509}},
      {"db", failure::kBootDbMismatch, b.db, s.db, {x509, sha256}},
  };
  for (const Database& db : dbs) {
    // Without Secure Boot an empty list means "not checked" (Keylime).
    if (!s.has_secureboot && db.allowed.empty()) continue;
    CheckSubset(db, out);
  }
  CheckDbx(s, b, out);
}

}  // namespace candor::policy::boot_internal
