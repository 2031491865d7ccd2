#include "cli/tenant/commands/bootlog/log_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::tenant {
namespace {

// A base64 log is 4/3 the size of the binary one.
constexpr size_t kMaxFileBytes = eventlog::kMaxLogBytes / 3 * 4 + 4096;

// Length of the well-formed UTF-8 sequence at `s[i]`, or 0.
size_t Utf8Length(absl::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80         ? 1
             : (c >> 5) == 6  ? 2
             : (c >> 4) == 14 ? 3
             : (c >> 3) == 30 ? 4
                              : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = n == 1 ? c : c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

}  // namespace

bool LooksLikeBase64(absl::string_view bytes) {
  bool any = false;
  for (char c : bytes) {
    if (absl::ascii_isspace(c)) continue;
    if (!absl::ascii_isalnum(c) && c != '+' && c != '/' && c != '=') {
      return false;
    }
    any = true;
  }
  return any;
}

absl::StatusOr<std::string> ReadEventLogBytes(const std::string& path,
                                              bool force_base64) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string why = std::strerror(errno);
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot read: ", why));
  }
  std::string bytes;
  char chunk[1 << 16];
  while (bytes.size() <= kMaxFileBytes && in) {
    in.read(chunk, sizeof(chunk));
    bytes.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": read error"));
  }
  if (bytes.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": larger than ", kMaxFileBytes, " bytes: not an event log"));
  }
  if (bytes.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ": UEFI event log is empty (0 bytes): expected the SpecID "
                     "event at byte offset 0"));
  }
  std::string compact;
  if (!force_base64 && LooksLikeBase64(bytes)) {
    for (char c : bytes) {
      if (!absl::ascii_isspace(c)) compact.push_back(c);
    }
  }
  // Every crypto-agile log starts with PCR 0, EV_NO_ACTION and a zero
  // digest: 00000000 03000000 00000000, which is "AAAAAAMAAAAA" in base64.
  if (force_base64 || absl::StartsWith(compact, "AAAAAAMAAAAA")) {
    compact.clear();
    for (char c : bytes) {
      if (!absl::ascii_isspace(c)) compact.push_back(c);
    }
    std::string bin;
    if (!absl::Base64Unescape(compact, &bin)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not valid base64"));
    }
    return bin;
  }
  return bytes;
}

absl::StatusOr<eventlog::EventLog> ReadEventLog(const std::string& path,
                                                bool force_base64) {
  absl::StatusOr<std::string> bytes = ReadEventLogBytes(path, force_base64);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<eventlog::EventLog> log = eventlog::EventLog::Parse(*bytes);
  if (!log.ok()) {
    return absl::Status(log.status().code(),
                        absl::StrCat(path, ": ", log.status().message()));
  }
  return log;
}

std::string Printable(absl::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    size_t n = Utf8Length(bytes, i);
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (n == 1 && c == '\n') {
      out += "\\n";
    } else if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f))) {
      out += absl::StrFormat("\\x%02x", c);
      n = 1;
    } else {
      out.append(bytes.data() + i, n);
    }
    i += n;
  }
  return out;
}

}  // namespace candor::tenant
