// File: lib/payload/archive_pack.h
//
// Packs a directory tree into an in-memory tar archive (pax restricted
// format, libarchive) for the secure payload: entry names are relative to the
// directory ("autorun.sh", "conf/app.yaml"), entries sorted by name, modes
// kept (so autorun.sh stays executable), owners dropped (uid/gid 0), mtimes
// kept. Symlinks are stored as symlinks (the agent refuses any that escape);
// sockets, fifos and devices are refused.
//
// Errors name the offending path: INVALID_ARGUMENT for an unreadable or
// special file, RESOURCE_EXHAUSTED when the archive would exceed `max_size`
// bytes. Thread-safe (no shared state).
#ifndef CANDOR_LIB_PAYLOAD_ARCHIVE_PACK_H_
#define CANDOR_LIB_PAYLOAD_ARCHIVE_PACK_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace candor::payload {

absl::StatusOr<std::string> PackDirectory(const std::string& dir,
                                          size_t max_size);

}  // namespace candor::payload

#endif  // CANDOR_LIB_PAYLOAD_ARCHIVE_PACK_H_
