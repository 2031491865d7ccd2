// RuntimePolicy: format detection, the legacy allowlist and policy digests.
// The JSON format is loaded in policy_json.cc.
#include "lib/policy/runtime/runtime_policy.h"

#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "lib/ima/hex.h"
#include "lib/policy/runtime/policy_json.h"

namespace candor::policy {
namespace {

std::string Show(absl::string_view s) {
  constexpr size_t kMax = 80;
  if (s.size() <= kMax) return absl::StrCat("'", absl::CHexEscape(s), "'");
  return absl::StrCat("'", absl::CHexEscape(s.substr(0, kMax)), "...'");
}

absl::Status CheckSize(absl::string_view content) {
  if (content.size() > kMaxRuntimePolicyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "runtime policy has ", content.size(), " bytes; the limit is ",
        kMaxRuntimePolicyBytes, " (100 MiB)"));
  }
  return absl::OkStatus();
}

}  // namespace

bool ParsePolicyDigest(absl::string_view text, ima::Digest* d,
                       std::string* why) {
  absl::string_view hex = text;
  d->algo = ima::HashAlgo::kUnknown;
  const size_t colon = text.find(':');
  if (colon != absl::string_view::npos) {
    absl::string_view name = text.substr(0, colon);
    d->algo = ima::HashAlgoFromName(name);
    if (d->algo == ima::HashAlgo::kUnknown) {
      *why = absl::StrCat(Show(text), " names an unknown hash algorithm ",
                          Show(name));
      return false;
    }
    hex = text.substr(colon + 1);
  }
  if (hex.empty() || !ima::IsHex(hex)) {
    *why = absl::StrCat(Show(text), " is not a hex digest");
    return false;
  }
  const size_t size = hex.size() / 2;
  if (d->algo == ima::HashAlgo::kUnknown) {
    d->algo = ima::HashAlgoForBareDigestSize(size);
    if (d->algo == ima::HashAlgo::kUnknown || d->algo == ima::HashAlgo::kMd5) {
      *why = absl::StrCat(Show(text),
                          " is not a hex digest of a known size "
                          "(40 sha1, 64 sha256, 96 sha384, 128 "
                          "sha512 hex digits; else "
                          "'<algorithm>:<hex>')");
      return false;
    }
  } else if (size != ima::HashAlgoSize(d->algo)) {
    *why = absl::StrCat(Show(text), " has ", hex.size(), " hex digits; ",
                        ima::HashAlgoName(d->algo), " needs ",
                        2 * ima::HashAlgoSize(d->algo));
    return false;
  }
  ima::HexDecodeTo(hex, d->bytes);
  d->size = static_cast<uint8_t>(size);
  return true;
}

absl::StatusOr<RuntimePolicy> RuntimePolicy::Load(absl::string_view content) {
  absl::string_view t = absl::StripLeadingAsciiWhitespace(content);
  if (t.empty()) {
    return absl::InvalidArgumentError("runtime policy is empty");
  }
  if (t[0] == '{' || t[0] == '[') return LoadJson(content);
  return LoadAllowlist(content);
}

absl::StatusOr<RuntimePolicy> RuntimePolicy::LoadJson(absl::string_view json) {
  absl::Status s = CheckSize(json);
  if (!s.ok()) return s;
  RuntimePolicy p;
  s = RuntimePolicyLoader::LoadJson(json, &p);
  if (!s.ok()) return s;
  return p;
}

absl::StatusOr<RuntimePolicy> RuntimePolicy::LoadAllowlist(
    absl::string_view text) {
  absl::Status s = CheckSize(text);
  if (!s.ok()) return s;
  // path -> digests, in file order per path.
  std::map<std::string, std::vector<ima::Digest>> entries;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    size_t ws = 0;
    while (ws < line.size() && !absl::ascii_isspace(line[ws])) ++ws;
    if (ws == line.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("allowlist line ", line_number, ": ", Show(line),
                       " is not '<digest> <path>'"));
    }
    absl::string_view digest = line.substr(0, ws);
    absl::string_view path = absl::StripLeadingAsciiWhitespace(line.substr(ws));
    ima::Digest d;
    std::string why;
    if (!ParsePolicyDigest(digest, &d, &why)) {
      return absl::InvalidArgumentError(
          absl::StrCat("allowlist line ", line_number, ": ", why));
    }
    entries[absl::StrReplaceAll(path, {{" ", "_"}})].push_back(d);
  }
  RuntimePolicy p;
  p.legacy_ = true;
  p.generator_ = "legacy allowlist";
  p.digests_.Reserve(entries.size(), entries.size() * 40);
  for (const auto& [path, digests] : entries) p.digests_.AddName(path, digests);
  p.digests_.Finish();
  return p;
}

}  // namespace candor::policy
