#include "lib/eventlog/text.h"

#include <cstdint>

namespace candor::eventlog {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

constexpr uint32_t kReplacement = 0xFFFD;

}  // namespace

std::string Utf16LeToUtf8(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() / 2);
  size_t n = bytes.size() / 2;
  auto unit = [&bytes](size_t i) -> uint32_t {
    return static_cast<uint8_t>(bytes[2 * i]) |
           static_cast<uint32_t>(static_cast<uint8_t>(bytes[2 * i + 1])) << 8;
  };
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 1 < n) {
        uint32_t lo = unit(i + 1);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), &out);
          ++i;
          continue;
        }
      }
      AppendUtf8(kReplacement, &out);
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      AppendUtf8(kReplacement, &out);
    } else {
      AppendUtf8(u, &out);
    }
  }
  if (bytes.size() % 2 != 0) AppendUtf8(kReplacement, &out);
  return out;
}

absl::string_view StripUtf16Nuls(absl::string_view bytes) {
  size_t n = bytes.size() & ~static_cast<size_t>(1);
  while (n >= 2 && bytes[n - 1] == '\0' && bytes[n - 2] == '\0') n -= 2;
  return bytes.substr(0, n);
}

bool LooksLikeAsciiUtf16Le(absl::string_view bytes) {
  if (bytes.size() < 2 || bytes.size() % 2 != 0) return false;
  absl::string_view text = StripUtf16Nuls(bytes);
  if (text.empty()) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (text[i + 1] != '\0' || c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace candor::eventlog
