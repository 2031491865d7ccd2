// File: lib/log/log.h
//
// Logging for Candor's daemons and tools (spdlog): one line per event on
// stderr, "2026-11-25T10:00:00.123Z registrar info message". Init() once in
// main(); then use spdlog::info/warn/error(...) with fmt-style arguments.
// Never log secrets (keys, U/V shares, HMAC keys, nonces are fine).
#ifndef CANDOR_LIB_LOG_LOG_H_
#define CANDOR_LIB_LOG_LOG_H_

#include <fmt/format.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace candor::log {

// `level`: trace, debug, info, warn, error. INVALID_ARGUMENT otherwise.
absl::Status Init(const std::string& component, const std::string& level);

// Logs the --insecure warning every daemon and the tenant print, loudly.
void WarnInsecure(const std::string& component);

}  // namespace candor::log

// fmt (spdlog) cannot print Abseil's own string_view (Debian's Abseil does
// not alias std::string_view) or a Status without these.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename Context>
  auto format(absl::string_view s, Context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(
        fmt::string_view(s.data(), s.size()), ctx);
  }
};

template <>
struct fmt::formatter<absl::Status> : fmt::formatter<fmt::string_view> {
  template <typename Context>
  auto format(const absl::Status& s, Context& ctx) const {
    std::string text = s.ToString();
    return fmt::formatter<fmt::string_view>::format(
        fmt::string_view(text.data(), text.size()), ctx);
  }
};

#endif  // CANDOR_LIB_LOG_LOG_H_
