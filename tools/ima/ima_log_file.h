// File: tools/ima/ima_log_file.h
//
// An ascii_runtime_measurements file held for writing under an exclusive
// flock(2): emulator processes and the reboot simulator serialize on it, so
// two writers never interleave lines or extends. Open() locks the file the
// path names when the lock is granted (if another process replaced the file
// meanwhile, the new one is opened and locked instead). The lock goes with
// the object.
//
// Writes use write(2) directly (no user-space buffering), so appended text is
// visible to readers (the agent) when Append returns; nothing is fsync'ed: a
// real IMA log does not survive a reboot either.
//
// Errors name the path and errno's text (INTERNAL), NOT_FOUND for a missing
// directory. Move-only; not thread-safe (one writer thread).
#ifndef CANDOR_TOOLS_IMA_IMA_LOG_FILE_H_
#define CANDOR_TOOLS_IMA_IMA_LOG_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::tools {

struct ImaLogSummary {
  uint64_t entries = 0;        // complete lines (ending in '\n')
  std::string first_line;      // without '\n'; "" when there is none
  uint64_t complete_size = 0;  // bytes up to the end of the last full line
  uint64_t size = 0;           // bytes in the file
};

class ImaLogFile {
 public:
  // Opens (creating it, mode 0644) and locks `path`.
  static absl::StatusOr<ImaLogFile> Open(const std::string& path);
  ImaLogFile(ImaLogFile&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) {
    o.fd_ = -1;
  }
  ImaLogFile& operator=(ImaLogFile&& o) noexcept;
  ImaLogFile(const ImaLogFile&) = delete;
  ImaLogFile& operator=(const ImaLogFile&) = delete;
  ~ImaLogFile();

  const std::string& path() const { return path_; }

  // Reads the whole file once: entry count, first line, sizes.
  absl::StatusOr<ImaLogSummary> Summarize();
  absl::StatusOr<uint64_t> Size();
  // Writes `text` at the end of the file.
  absl::Status Append(absl::string_view text);
  // Cuts the file to `size` bytes.
  absl::Status Truncate(uint64_t size);

 private:
  ImaLogFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_IMA_IMA_LOG_FILE_H_
