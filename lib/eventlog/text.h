// File: lib/eventlog/text.h
//
// Text conversions for UEFI data: UCS-2/UTF-16LE (variable names, device
// path file names, S-CRTM versions) to UTF-8. Pure functions, thread-safe.
#ifndef CANDOR_LIB_EVENTLOG_TEXT_H_
#define CANDOR_LIB_EVENTLOG_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace candor::eventlog {

// UTF-16LE code units to UTF-8. An odd trailing byte and unpaired surrogates
// become U+FFFD; NUL code units are kept (callers strip terminators).
std::string Utf16LeToUtf8(absl::string_view bytes);

// `bytes` without its trailing UTF-16 NUL code units (pairs of zero bytes).
absl::string_view StripUtf16Nuls(absl::string_view bytes);

// True when `bytes` has even length >= 2, every odd byte is zero and every
// even byte before the terminating NUL is printable ASCII: how firmware
// writes CHAR16 strings of ASCII text.
bool LooksLikeAsciiUtf16Le(absl::string_view bytes);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_TEXT_H_
