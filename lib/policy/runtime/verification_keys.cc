// The "verification-keys" string of a runtime policy (see runtime_policy.h).
#include <simdjson.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/policy/runtime/policy_json.h"

namespace candor::policy {

using json_util::StringArray;
using json_util::TypeError;
using json_util::View;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

absl::StatusOr<ima::Keyring> ParseVerificationKeys(absl::string_view text) {
  ima::Keyring ring;
  absl::string_view t = absl::StripAsciiWhitespace(text);
  if (t.empty()) return ring;
  if (absl::StrContains(t, "-----BEGIN")) {
    absl::StatusOr<std::vector<ima::KeyringKey>> keys = ima::ParseKeysPem(t);
    if (!keys.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("verification-keys: ", keys.status().message()));
    }
    for (ima::KeyringKey& k : *keys) {
      k.source = "verification-keys";
      ring.Add(std::move(k));
    }
    return ring;
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(t.data(), t.size());
  element root;
  if (auto err = parser.parse(padded).get(root)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "verification-keys: neither PEM nor Keylime keyring JSON (",
        simdjson::error_message(err), ")"));
  }
  std::string_view inner;
  if (!root.get_string().get(inner)) {  // JSON-encoded twice
    return ParseVerificationKeys(View(inner));
  }
  object obj;
  if (root.get_object().get(obj)) {
    return TypeError("verification-keys", "Keylime keyring JSON (an object)",
                     root);
  }
  element pubkeys;
  if (obj["pubkeys"].get(pubkeys)) {
    return absl::InvalidArgumentError("verification-keys: no \"pubkeys\"");
  }
  std::vector<std::string> b64;
  absl::Status s = StringArray(pubkeys, "verification-keys.pubkeys", &b64);
  if (!s.ok()) return s;
  std::vector<int64_t> keyids;
  element ids;
  if (!obj["keyids"].get(ids)) {
    array arr;
    if (ids.get_array().get(arr)) {
      return TypeError("verification-keys.keyids", "an array", ids);
    }
    size_t i = 0;
    for (element e : arr) {
      int64_t id;
      if (e.get_int64().get(id) || id < 0 || id > 0xFFFFFFFFLL) {
        return TypeError(absl::StrCat("verification-keys.keyids[", i, "]"),
                         "a 32-bit unsigned integer", e);
      }
      keyids.push_back(id);
      ++i;
    }
  }
  for (size_t i = 0; i < b64.size(); ++i) {
    std::string der;
    if (!absl::Base64Unescape(b64[i], &der)) {
      return absl::InvalidArgumentError(
          absl::StrCat("verification-keys.pubkeys[", i, "]: not base64"));
    }
    absl::StatusOr<ima::KeyringKey> k = ima::ParseKeyDer(der);
    if (!k.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "verification-keys.pubkeys[", i, "]: ", k.status().message()));
    }
    if (i < keyids.size()) k->keyid = static_cast<uint32_t>(keyids[i]);
    k->source = "verification-keys";
    ring.Add(*std::move(k));
  }
  return ring;
}

}  // namespace candor::policy
