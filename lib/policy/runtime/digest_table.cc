#include "lib/policy/runtime/digest_table.h"

#include <cstring>

namespace candor::policy {
namespace {

uint32_t ReadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

void DigestTable::Reserve(size_t names, size_t digest_bytes) {
  index_.reserve(names);
  blob_.reserve(digest_bytes);
}

absl::string_view DigestTable::Intern(absl::string_view name) {
  if (name.empty()) return absl::string_view("", 0);
  if (name.size() > kChunkSize / 4) {  // a big name gets a block of its own
    big_names_.emplace_back(new char[name.size()]);
    std::memcpy(big_names_.back().get(), name.data(), name.size());
    return absl::string_view(big_names_.back().get(), name.size());
  }
  if (chunk_used_ + name.size() > kChunkSize) {
    chunks_.emplace_back(new char[kChunkSize]);
    chunk_used_ = 0;
  }
  char* p = chunks_.back().get() + chunk_used_;
  std::memcpy(p, name.data(), name.size());
  chunk_used_ += name.size();
  return absl::string_view(p, name.size());
}

bool DigestTable::AddName(absl::string_view name,
                          absl::Span<const ima::Digest> digests) {
  if (index_.contains(name)) return false;
  const uint32_t offset = static_cast<uint32_t>(blob_.size());
  const uint32_t count = static_cast<uint32_t>(digests.size());
  blob_.append(reinterpret_cast<const char*>(&count), 4);
  for (const ima::Digest& d : digests) {
    blob_.push_back(static_cast<char>(d.algo));
    blob_.append(reinterpret_cast<const char*>(d.bytes), d.size);
  }
  digest_count_ += digests.size();
  index_.emplace(Intern(name), offset);
  return true;
}

void DigestTable::Finish() { blob_.shrink_to_fit(); }

DigestTable::Lookup DigestTable::Find(absl::string_view name,
                                      const ima::Digest& digest) const {
  auto it = index_.find(name);
  if (it == index_.end()) return Lookup::kNameNotFound;
  const char* p = blob_.data() + it->second;
  const uint32_t count = ReadU32(p);
  p += 4;
  for (uint32_t i = 0; i < count; ++i) {
    const auto algo = static_cast<ima::HashAlgo>(*p++);
    const size_t size = ima::HashAlgoSize(algo);
    if (algo == digest.algo && size == digest.size &&
        std::memcmp(p, digest.bytes, size) == 0) {
      return Lookup::kMatch;
    }
    p += size;
  }
  return Lookup::kDigestNotListed;
}

std::vector<ima::Digest> DigestTable::DigestsOf(absl::string_view name) const {
  std::vector<ima::Digest> out;
  auto it = index_.find(name);
  if (it == index_.end()) return out;
  const char* p = blob_.data() + it->second;
  const uint32_t count = ReadU32(p);
  p += 4;
  for (uint32_t i = 0; i < count; ++i) {
    ima::Digest d;
    d.algo = static_cast<ima::HashAlgo>(*p++);
    d.size = static_cast<uint8_t>(ima::HashAlgoSize(d.algo));
    std::memcpy(d.bytes, p, d.size);
    p += d.size;
    out.push_back(d);
  }
  return out;
}

std::vector<absl::string_view> DigestTable::Names() const {
  std::vector<absl::string_view> out;
  out.reserve(index_.size());
  for (const auto& kv : index_) out.push_back(kv.first);
  return out;
}

}  // namespace candor::policy
