// File: lib/policy/runtime/digest_table.h
//
// An immutable-after-build map from a name (a file path, a keyring, an
// ima-buf name) to the digests a runtime policy allows for it, each tagged
// with its hash algorithm. Built for 100,000+ paths shared by every agent:
//   - names live in one chunked arena (stable addresses, no per-name heap);
//   - an absl::flat_hash_map<string_view, uint32_t> maps a name to its record
//     in one byte blob: u32 count, then per digest u8 algorithm, raw bytes;
//   - a lookup hashes the name once and memcmps a few digests.
// A digest matches only if algorithm and bytes are equal: a SHA-1 digest
// never matches a SHA-256 one, whatever their hex prefixes.
//
// Thread-safety: Add/Finish from one thread while building; after Finish,
// const methods may be called from any number of threads. Movable (the
// arena's chunks do not move), not copyable.
#ifndef CANDOR_LIB_POLICY_RUNTIME_DIGEST_TABLE_H_
#define CANDOR_LIB_POLICY_RUNTIME_DIGEST_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/ima/entry.h"

namespace candor::policy {

class DigestTable {
 public:
  enum class Lookup { kMatch, kNameNotFound, kDigestNotListed };

  DigestTable() = default;
  DigestTable(DigestTable&&) = default;
  DigestTable& operator=(DigestTable&&) = default;

  // Building. Reserve is a hint. AddName returns false (and adds nothing)
  // when `name` is already present.
  void Reserve(size_t names, size_t digest_bytes);
  bool AddName(absl::string_view name, absl::Span<const ima::Digest> digests);
  // Releases spare capacity; call once after the last AddName.
  void Finish();

  Lookup Find(absl::string_view name, const ima::Digest& digest) const;
  bool Contains(absl::string_view name) const { return index_.contains(name); }
  // The digests listed for `name` (empty if absent), for messages and tools.
  std::vector<ima::Digest> DigestsOf(absl::string_view name) const;
  // Every name (unordered), for tools.
  std::vector<absl::string_view> Names() const;

  size_t names() const { return index_.size(); }
  size_t digests() const { return digest_count_; }

 private:
  absl::string_view Intern(absl::string_view name);

  static constexpr size_t kChunkSize = 256 * 1024;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<std::unique_ptr<char[]>> big_names_;
  size_t chunk_used_ = kChunkSize;
  absl::flat_hash_map<absl::string_view, uint32_t> index_;
  std::string blob_;
  size_t digest_count_ = 0;
};

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_DIGEST_TABLE_H_
