// File: lib/ima/hex.h
//
// Hex decoding for the hot IMA path: no allocation, no exceptions. Both
// letter cases are accepted (the kernel prints lower case). Header-only;
// thread-safe.
#ifndef CANDOR_LIB_IMA_HEX_H_
#define CANDOR_LIB_IMA_HEX_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace candor::ima {
namespace hex_internal {

// 0..15 for a hex digit, 0xFF otherwise.
struct HexTable {
  uint8_t v[256];
  constexpr HexTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 0xFF;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) {
      v['a' + i] = static_cast<uint8_t>(10 + i);
      v['A' + i] = static_cast<uint8_t>(10 + i);
    }
  }
};
inline constexpr HexTable kHexTable{};

}  // namespace hex_internal

// True iff `hex` has an even length and only hex digits.
inline bool IsHex(absl::string_view hex) {
  if (hex.size() % 2 != 0) return false;
  for (unsigned char c : hex) {
    if (hex_internal::kHexTable.v[c] == 0xFF) return false;
  }
  return true;
}

// Decodes `hex` into out[0 .. hex.size()/2). The caller guarantees room.
// Returns false (out partly written) if `hex` has an odd length or a
// non-hex character.
inline bool HexDecodeTo(absl::string_view hex, uint8_t* out) {
  if (hex.size() % 2 != 0) return false;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(hex.data());
  const size_t n = hex.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t hi = hex_internal::kHexTable.v[p[2 * i]];
    const uint8_t lo = hex_internal::kHexTable.v[p[2 * i + 1]];
    if ((hi | lo) & 0xF0) return false;
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return true;
}

// Lower-case hex of `bytes`.
inline std::string HexEncode(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[c >> 4];
    out[2 * i + 1] = kDigits[c & 0xF];
  }
  return out;
}

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_HEX_H_
