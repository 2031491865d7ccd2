// File: lib/policy/runtime/policy_builder.h
//
// Creating runtime policies (`tenant policy create`): collect path ->
// digests (and keyring / ima-buf digests, excludes), then write Keylime
// runtime-policy JSON:
//   {"meta": {"version": 1, "generator": 0, "timestamp": "<UTC>"},
//    "release": 0, "digests": {...}, "excludes": [...], "keyrings": {...},
//    "ima": {"ignored_keyrings": [], "log_hash_alg": "sha1",
//            "dm_policy": null},
//    "ima-buf": {...}, "verification-keys": ""}
// Names are sorted; each name's digests keep first-seen order without
// duplicates. Digests are bare lower-case hex for sha1/sha256/sha384/sha512
// (Keylime's schema) and "<algorithm>:<hex>" for the others (e.g. sm3),
// whose size alone would be read as another algorithm. meta.generator is 0
// (Keylime's "Unknown": its schema wants an integer 0..3).
//
// From an IMA log (AddImaLog): every entry's path with its digest, including
// boot_aggregate; a violation's path with the digest it records (zeros, 20
// bytes are written as SHA-1) so the path is known to the policy; ima-buf
// buffers holding a key (DER certificate or public key) go to keyrings[name],
// other buffers to ima-buf[name]; entries whose path an exclude matches are
// left out. The log must replay cleanly (parse, template hashes): the first
// bad line is an error naming it.
//
// Names that are not valid UTF-8 cannot be written in JSON: they are skipped
// and counted (CreateStats::skipped_non_utf8).
//
// Not thread-safe (one builder per creation).
#ifndef CANDOR_LIB_POLICY_RUNTIME_POLICY_BUILDER_H_
#define CANDOR_LIB_POLICY_RUNTIME_POLICY_BUILDER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/ima/entry.h"
#include "lib/policy/runtime/excludes.h"

namespace candor::policy {

struct CreateStats {
  uint64_t entries = 0;               // log entries or regular files seen
  uint64_t excluded = 0;              // left out by an exclude
  uint64_t skipped_non_utf8 = 0;      // names JSON cannot hold
  uint64_t unreadable = 0;            // files that could not be read (tree)
  uint64_t bytes_hashed = 0;          // tree
  std::vector<std::string> warnings;  // the first few, for the user
};

class PolicyBuilder {
 public:
  // Each returns false (adding nothing) for a name that is not UTF-8.
  bool AddDigest(absl::string_view path, const ima::Digest& digest);
  bool AddKeyring(absl::string_view keyring, const ima::Digest& digest);
  bool AddImaBuf(absl::string_view name, const ima::Digest& digest);
  void SetExcludes(std::vector<std::string> patterns) {
    excludes_ = std::move(patterns);
  }

  size_t paths() const { return digests_.size(); }
  size_t keyrings() const { return keyrings_.size(); }
  size_t ima_bufs() const { return ima_buf_.size(); }

  std::string ToJson(absl::Time now) const;

 private:
  using Map = std::map<std::string, std::vector<ima::Digest>>;
  static bool Add(Map* map, absl::string_view name, const ima::Digest& d);
  Map digests_, keyrings_, ima_buf_;
  std::vector<std::string> excludes_;
};

// Adds every entry of an ascii_runtime_measurements text (see above).
// INVALID_ARGUMENT "line N: ..." for the first line that does not parse or
// whose template hash is wrong.
absl::Status AddImaLog(absl::string_view log, const ExcludeList& excludes,
                       PolicyBuilder* builder, CreateStats* stats);

// True iff `s` is well-formed UTF-8.
bool IsValidUtf8(absl::string_view s);

// A policy digest as written to JSON (see above).
std::string PolicyDigestText(const ima::Digest& digest);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_POLICY_BUILDER_H_
