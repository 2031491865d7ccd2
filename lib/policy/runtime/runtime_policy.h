// File: lib/policy/runtime/runtime_policy.h
//
// A Keylime runtime policy (reference/keylime.md §2.5; Keylime's
// RUNTIME_POLICY_SCHEMA), loaded once and shared read-only by every agent
// that references it. Two input formats:
//
// 1. JSON, meta.version 1:
//    {"meta": {"version": 1, "generator": <int or string>, "timestamp": "..."},
//     "release": <int >= 0>,
//     "digests":  {"<path>": ["<digest>", ...], ...},
//     "excludes": ["<RE2 regex>", ...],
//     "keyrings": {"<keyring>": ["<digest>", ...], ...},
//     "ima": {"ignored_keyrings": ["<keyring>" or "*", ...],
//             "log_hash_alg": "sha1"|"sha256"|"sha384"|"sha512",
//             "dm_policy": null},
//     "ima-buf": {"<name>": ["<digest>", ...], ...},
//     "verification-keys": "<string>"}
//    Only "meta" is required; a missing section is empty (log_hash_alg
//    defaults to sha1). Unknown top-level keys are ignored, as by Keylime;
//    a DSSE envelope ("payload") is refused. A <digest> is bare hex (its
//    algorithm by size: 40 sha1, 64 sha256, 96 sha384, 128 sha512) or
//    "<algorithm>:<hex>" (e.g. "sha256:..", "sm3:.."); either letter case.
//    "verification-keys" is "" or Keylime's ImaKeyring JSON
//    ({"pubkeys": [base64 DER SubjectPublicKeyInfo, ...], "keyids": [...]},
//    possibly JSON-encoded twice), or PEM text with CERTIFICATE / PUBLIC KEY
//    blocks.
// 2. The legacy flat allowlist: "<digest> <path>" per line (whitespace
//    between; spaces inside the path become '_', as IMA records them), blank
//    lines and lines starting with '#' ignored, a path may repeat.
//
// Validation is strict and every error names where (INVALID_ARGUMENT):
// `digests["/usr/bin/ls"][2]: 'xyz' is not a hex digest ...`,
// `excludes[3]: ... is not a valid RE2 regex: ...`, `ima.log_hash_alg: ...`,
// `allowlist line 7: ...`; wrong types, duplicate keys, empty digest lists,
// and a non-null dm_policy (device-mapper policies are not supported) are
// errors. Content over 100 MiB (104857600 bytes) is refused.
//
// Thread-safety: immutable once loaded; every const method may run on any
// number of threads. Movable, not copyable.
#ifndef CANDOR_LIB_POLICY_RUNTIME_RUNTIME_POLICY_H_
#define CANDOR_LIB_POLICY_RUNTIME_RUNTIME_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/ima/entry.h"
#include "lib/ima/hash_algo.h"
#include "lib/ima/keyring.h"
#include "lib/policy/runtime/digest_table.h"
#include "lib/policy/runtime/excludes.h"

namespace candor::policy {

// Keylime's max_upload_size: the largest policy accepted.
inline constexpr size_t kMaxRuntimePolicyBytes = 104857600;

class RuntimePolicy {
 public:
  // JSON when the first non-whitespace byte is '{' or '[', else a legacy
  // allowlist.
  static absl::StatusOr<RuntimePolicy> Load(absl::string_view content);
  static absl::StatusOr<RuntimePolicy> LoadJson(absl::string_view json);
  static absl::StatusOr<RuntimePolicy> LoadAllowlist(absl::string_view text);

  RuntimePolicy(RuntimePolicy&&) = default;
  RuntimePolicy& operator=(RuntimePolicy&&) = default;

  const DigestTable& digests() const { return digests_; }
  const DigestTable& keyrings() const { return keyrings_; }
  const DigestTable& ima_buf() const { return ima_buf_; }
  const ExcludeList& excludes() const { return excludes_; }
  const ima::Keyring& verification_keys() const { return verification_keys_; }
  // ima.ignored_keyrings: "*" ignores every keyring.
  bool KeyringIgnored(absl::string_view keyring) const {
    return ignore_all_keyrings_ || ignored_keyrings_.contains(keyring);
  }
  // ima.log_hash_alg: the template-hash algorithm of the IMA log.
  ima::HashAlgo log_hash_alg() const { return log_hash_alg_; }

  int64_t version() const { return version_; }
  const std::string& generator() const { return generator_; }
  const std::string& timestamp() const { return timestamp_; }
  uint64_t release() const { return release_; }
  bool legacy_allowlist() const { return legacy_; }

 private:
  friend class RuntimePolicyLoader;
  RuntimePolicy() = default;

  DigestTable digests_, keyrings_, ima_buf_;
  ExcludeList excludes_;
  ima::Keyring verification_keys_;
  absl::flat_hash_set<std::string> ignored_keyrings_;
  bool ignore_all_keyrings_ = false;
  ima::HashAlgo log_hash_alg_ = ima::HashAlgo::kSha1;
  int64_t version_ = 1;
  std::string generator_;
  std::string timestamp_;
  uint64_t release_ = 0;
  bool legacy_ = false;
};

// Parses one policy digest ("<hex>" or "<algorithm>:<hex>"). On error,
// returns false and sets `*why` (e.g. "'xyz' is not a hex digest ...").
bool ParsePolicyDigest(absl::string_view text, ima::Digest* digest,
                       std::string* why);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_RUNTIME_POLICY_H_
