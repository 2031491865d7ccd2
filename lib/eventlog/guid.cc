#include "lib/eventlog/guid.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::eventlog {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Guid Known(absl::string_view text) {
  absl::StatusOr<Guid> g = Guid::Parse(text);
  return g.ok() ? *g : Guid{};
}

}  // namespace

Guid Guid::FromBytes(absl::string_view b) {
  Guid g;
  std::memcpy(g.bytes.data(), b.data(), std::min<size_t>(b.size(), 16));
  return g;
}

absl::StatusOr<Guid> Guid::Parse(absl::string_view text) {
  // Registry form: groups of 8-4-4-4-12 hex digits.
  static constexpr int kGroups[] = {8, 4, 4, 4, 12};
  if (text.size() != 36) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text,
                     "' is not a GUID (expected 36 characters "
                     "like 8be4df61-93ca-11d2-aa0d-00e098032b8c)"));
  }
  uint8_t v[16];
  size_t pos = 0;
  int n = 0;
  for (int group = 0; group < 5; ++group) {
    if (group > 0) {
      if (text[pos] != '-') {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", text, "' is not a GUID: expected '-' at position ", pos));
      }
      ++pos;
    }
    for (int i = 0; i < kGroups[group]; i += 2) {
      int hi = HexValue(text[pos]), lo = HexValue(text[pos + 1]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", text, "' is not a GUID: non-hex digit at position ", pos));
      }
      v[n++] = static_cast<uint8_t>(hi << 4 | lo);
      pos += 2;
    }
  }
  // v holds the printed order; Data1..Data3 are stored little-endian.
  Guid g;
  const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 16; ++i) g.bytes[i] = v[order[i]];
  return g;
}

Guid Guid::ByteSwapped() const {
  Guid g;
  const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 16; ++i) g.bytes[i] = bytes[order[i]];
  return g;
}

std::string Guid::ToString() const {
  const auto& b = bytes;
  return absl::StrFormat(
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11],
      b[12], b[13], b[14], b[15]);
}

std::string Guid::ToRawOrderString() const { return ByteSwapped().ToString(); }

Guid EfiGlobalVariableGuid() {
  static const Guid g = Known("8be4df61-93ca-11d2-aa0d-00e098032b8c");
  return g;
}
Guid EfiImageSecurityDatabaseGuid() {
  static const Guid g = Known("d719b2cb-3d3a-4596-a3bc-dad00e67656f");
  return g;
}
Guid EfiCertX509Guid() {
  static const Guid g = Known("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
  return g;
}
Guid EfiCertSha256Guid() {
  static const Guid g = Known("c1c41626-504c-4092-aca9-41f936934328");
  return g;
}
Guid ShimLockGuid() {
  static const Guid g = Known("605dab50-e046-4300-abb6-3dd810dd8b23");
  return g;
}

}  // namespace candor::eventlog
