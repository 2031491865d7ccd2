#include "tools/common/seeded_random.h"

#include <openssl/rand.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/crypto/digest.h"

namespace candor::tools {
namespace {

std::string Be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

std::string SeededBytes(absl::string_view seed, absl::string_view label,
                        size_t n) {
  const std::string prefix =
      absl::StrCat(Be32(static_cast<uint32_t>(seed.size())), seed,
                   Be32(static_cast<uint32_t>(label.size())), label);
  std::string out;
  out.reserve(n + 32);
  for (uint32_t block = 0; out.size() < n; ++block) {
    out += crypto::Sha256(absl::StrCat(prefix, Be32(block)));
  }
  out.resize(n);
  return out;
}

uint64_t SeededIndex(absl::string_view seed, absl::string_view label,
                     uint64_t bound) {
  const std::string b = SeededBytes(seed, label, 8);
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v % bound;
}

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(&out[0]),
                          static_cast<int>(n)) != 1) {
    return absl::InternalError(
        absl::StrCat("RAND_bytes failed for ", n, " bytes"));
  }
  return out;
}

std::string UuidV4FromBytes(absl::string_view bytes) {
  unsigned char b[16] = {};
  for (size_t i = 0; i < 16 && i < bytes.size(); ++i) {
    b[i] = static_cast<unsigned char>(bytes[i]);
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122
  return absl::StrFormat(
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
      b[12], b[13], b[14], b[15]);
}

absl::StatusOr<std::string> RandomUuid() {
  absl::StatusOr<std::string> b = RandomBytes(16);
  if (!b.ok()) return b.status();
  return UuidV4FromBytes(*b);
}

}  // namespace candor::tools
