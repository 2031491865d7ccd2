// File: lib/payload/archive_extract.h
//
// Safe extraction of a decrypted secure payload into a directory (the agent's
// private directory). A tar (any variant libarchive reads, optionally gzip /
// bzip2 / xz compressed) or zip archive is extracted; anything else is stored
// as one file named `decrypted_payload` (mode 0600).
//
// Every entry is checked before anything is written for it:
//   - absolute names and names with a ".." component are refused;
//   - only regular files, directories and symlinks are accepted (devices,
//     fifos, sockets and hard links are refused);
//   - a symlink's target must be relative and stay inside the directory;
//   - no entry is written through a symlink (ARCHIVE_EXTRACT_SECURE_SYMLINKS);
//   - the total extracted size is at most `max_total_size` bytes.
// Permissions are kept without setuid/setgid/sticky bits; owners are not
// restored. Errors are INVALID_ARGUMENT (RESOURCE_EXHAUSTED for the size
// limit) naming the entry; `dest_dir` may then hold a partial extraction, so
// callers extract into a fresh temporary directory and rename it into place
// only on success (the agent does). `dest_dir` must exist.
// Thread-safe (no shared state).
#ifndef CANDOR_LIB_PAYLOAD_ARCHIVE_EXTRACT_H_
#define CANDOR_LIB_PAYLOAD_ARCHIVE_EXTRACT_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::payload {

inline constexpr char kRawPayloadName[] = "decrypted_payload";

struct ExtractResult {
  bool was_archive = false;
  size_t entries = 0;      // entries extracted (1 for a raw payload)
  size_t total_bytes = 0;  // bytes of file content written
};

absl::StatusOr<ExtractResult> ExtractPayload(absl::string_view plaintext,
                                             const std::string& dest_dir,
                                             size_t max_total_size = size_t{1}
                                                                     << 30);

}  // namespace candor::payload

#endif  // CANDOR_LIB_PAYLOAD_ARCHIVE_EXTRACT_H_
