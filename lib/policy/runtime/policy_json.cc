#include "lib/policy/runtime/policy_json.h"

#include <simdjson.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace candor::policy {
namespace json_util {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::string_view TypeName(const element& e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

absl::Status TypeError(absl::string_view where, absl::string_view want,
                       const element& e) {
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": must be ", want, ", not ", TypeName(e)));
}

absl::Status StringArray(const element& v, absl::string_view field,
                         std::vector<std::string>* out) {
  array arr;
  if (v.get_array().get(arr)) return TypeError(field, "an array of strings", v);
  size_t i = 0;
  for (element e : arr) {
    std::string_view s;
    if (e.get_string().get(s)) {
      return TypeError(absl::StrCat(field, "[", i, "]"), "a string", e);
    }
    out->emplace_back(s);
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace json_util

namespace {

using json_util::StringArray;
using json_util::TypeError;
using json_util::View;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// A JSON key for messages: ["/usr/bin/ls"].
std::string Key(absl::string_view k) {
  constexpr size_t kMax = 120;
  std::string shown = absl::CHexEscape(k.substr(0, kMax));
  return absl::StrCat("[\"", shown, k.size() > kMax ? "..." : "", "\"]");
}

// {name: [digest, ...]} into `table`.
absl::Status LoadDigestObject(const element& v, absl::string_view field,
                              DigestTable* table) {
  object obj;
  if (v.get_object().get(obj)) {
    return TypeError(field, "an object {name: [digest, ...]}", v);
  }
  const size_t n = obj.size();
  table->Reserve(n, n * 40);
  std::vector<ima::Digest> digests;
  std::string why;
  for (simdjson::dom::key_value_pair kv : obj) {
    const absl::string_view name = View(kv.key);
    array arr;
    if (kv.value.get_array().get(arr)) {
      return TypeError(absl::StrCat(field, Key(name)), "an array of digests",
                       kv.value);
    }
    digests.clear();
    size_t i = 0;
    for (element d : arr) {
      std::string_view s;
      if (d.get_string().get(s)) {
        return TypeError(absl::StrCat(field, Key(name), "[", i, "]"),
                         "a digest string", d);
      }
      ima::Digest digest;
      if (!ParsePolicyDigest(View(s), &digest, &why)) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, Key(name), "[", i, "]: ", why));
      }
      digests.push_back(digest);
      ++i;
    }
    if (digests.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, Key(name), ": no digests (a name needs at least one)"));
    }
    if (!table->AddName(name, digests)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, Key(name), ": duplicate key"));
    }
  }
  table->Finish();
  return absl::OkStatus();
}

absl::Status LoadMeta(const element& v, int64_t* version,
                      std::string* generator, std::string* timestamp) {
  object obj;
  if (v.get_object().get(obj)) return TypeError("meta", "an object", v);
  bool has_version = false;
  for (simdjson::dom::key_value_pair kv : obj) {
    const absl::string_view key = View(kv.key);
    if (key == "version") {
      if (kv.value.get_int64().get(*version)) {
        return TypeError("meta.version", "an integer", kv.value);
      }
      has_version = true;
    } else if (key == "generator") {
      int64_t g;
      std::string_view s;
      if (!kv.value.get_int64().get(g)) {
        *generator = absl::StrCat(g);
      } else if (!kv.value.get_string().get(s)) {
        *generator = std::string(s);
      } else {
        return TypeError("meta.generator", "an integer or a string", kv.value);
      }
    } else if (key == "timestamp") {
      std::string_view s;
      if (kv.value.get_string().get(s)) {
        return TypeError("meta.timestamp", "a string", kv.value);
      }
      *timestamp = std::string(s);
    }
  }
  if (!has_version) {
    return absl::InvalidArgumentError("meta.version: missing");
  }
  if (*version != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "meta.version: ", *version, " is not supported (only version 1)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RuntimePolicyLoader::LoadJson(absl::string_view json,
                                           RuntimePolicy* p) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element root;
  if (auto err = parser.parse(padded).get(root)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "runtime policy is not valid JSON: ", simdjson::error_message(err)));
  }
  object top;
  if (root.get_object().get(top)) {
    return TypeError("runtime policy", "a JSON object", root);
  }
  std::vector<std::string> seen;
  bool has_meta = false;
  for (simdjson::dom::key_value_pair kv : top) {
    const absl::string_view key = View(kv.key);
    for (const std::string& k : seen) {
      if (k == key) {
        return absl::InvalidArgumentError(
            absl::StrCat("runtime policy: duplicate key \"", key, "\""));
      }
    }
    seen.emplace_back(key);
    absl::Status s;
    const element& v = kv.value;
    if (key == "meta") {
      has_meta = true;
      s = LoadMeta(v, &p->version_, &p->generator_, &p->timestamp_);
    } else if (key == "release") {
      int64_t r;
      if (v.get_int64().get(r) || r < 0) {
        return TypeError("release", "an integer >= 0", v);
      }
      p->release_ = static_cast<uint64_t>(r);
    } else if (key == "digests") {
      s = LoadDigestObject(v, "digests", &p->digests_);
    } else if (key == "keyrings") {
      s = LoadDigestObject(v, "keyrings", &p->keyrings_);
    } else if (key == "ima-buf") {
      s = LoadDigestObject(v, "ima-buf", &p->ima_buf_);
    } else if (key == "excludes") {
      std::vector<std::string> patterns;
      s = StringArray(v, "excludes", &patterns);
      if (s.ok()) {
        absl::StatusOr<ExcludeList> list =
            ExcludeList::Create(std::move(patterns));
        if (!list.ok()) return list.status();
        p->excludes_ = *std::move(list);
      }
    } else if (key == "verification-keys") {
      std::string_view text;
      if (v.get_string().get(text)) {
        return TypeError("verification-keys", "a string", v);
      }
      absl::StatusOr<ima::Keyring> ring = ParseVerificationKeys(View(text));
      if (!ring.ok()) return ring.status();
      p->verification_keys_ = *std::move(ring);
    } else if (key == "ima") {
      object ima;
      if (v.get_object().get(ima)) return TypeError("ima", "an object", v);
      for (simdjson::dom::key_value_pair f : ima) {
        const absl::string_view fk = View(f.key);
        if (fk == "ignored_keyrings") {
          std::vector<std::string> names;
          s = StringArray(f.value, "ima.ignored_keyrings", &names);
          if (!s.ok()) return s;
          for (std::string& n : names) {
            if (n == "*") p->ignore_all_keyrings_ = true;
            p->ignored_keyrings_.insert(std::move(n));
          }
        } else if (fk == "log_hash_alg") {
          std::string_view alg;
          if (f.value.get_string().get(alg)) {
            return TypeError("ima.log_hash_alg", "a string", f.value);
          }
          ima::HashAlgo a = ima::HashAlgoFromName(View(alg));
          if (a != ima::HashAlgo::kSha1 && a != ima::HashAlgo::kSha256 &&
              a != ima::HashAlgo::kSha384 && a != ima::HashAlgo::kSha512) {
            return absl::InvalidArgumentError(
                absl::StrCat("ima.log_hash_alg: '", absl::CHexEscape(View(alg)),
                             "' is not sha1, sha256, sha384 or sha512"));
          }
          p->log_hash_alg_ = a;
        } else if (fk == "dm_policy") {
          if (!f.value.is_null()) {
            return absl::InvalidArgumentError(
                "ima.dm_policy: device-mapper policies are not supported "
                "(must be null)");
          }
        }
      }
    } else if (key == "payload" || key == "payloadType") {
      return absl::InvalidArgumentError(
          "runtime policy: DSSE-signed policies are not supported; give the "
          "policy JSON itself");
    }
    if (!s.ok()) return s;
  }
  if (!has_meta) {
    return absl::InvalidArgumentError(
        "runtime policy: no \"meta\" (meta.version 1 is required)");
  }
  return absl::OkStatus();
}

}  // namespace candor::policy
