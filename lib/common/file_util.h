// File: lib/common/file_util.h
//
// Whole-file reads and crash-safe writes. A write goes to a temporary file in
// the same directory, is fsync'ed and renamed into place, so readers see the
// old or the new content, never half of it.
#ifndef CANDOR_LIB_COMMON_FILE_UTIL_H_
#define CANDOR_LIB_COMMON_FILE_UTIL_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor {

// The whole file. NOT_FOUND naming the path if it does not exist, INTERNAL
// for other read errors (with errno's text).
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Replaces `path` with `contents` atomically, with permissions `mode`.
// Errors name the path.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents,
                                 mode_t mode = 0644);

}  // namespace candor

#endif  // CANDOR_LIB_COMMON_FILE_UTIL_H_
