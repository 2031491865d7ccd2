#include "services/agent/ima_log_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"

namespace candor::agent {
namespace {

constexpr size_t kChunk = 64 * 1024;

absl::Status ReadError(const std::string& path, uint64_t offset) {
  return absl::InternalError(absl::StrCat("reading ", path, " at byte ",
                                          offset, ": ", strerror(errno)));
}

}  // namespace

absl::StatusOr<bool> ImaLogReader::Refresh(int fd) {
  // securityfs files report size 0: detect a shrunk log by reading at the
  // remembered end instead of trusting st_size.
  char probe;
  if (end_offset_ > 0 &&
      (pread(fd, &probe, 1, static_cast<off_t>(end_offset_ - 1)) != 1 ||
       probe != '\n')) {
    ResetLocked();
  }
  std::string buf(kChunk, '\0');
  uint64_t offset = end_offset_;
  uint64_t line_start = end_offset_;
  while (true) {
    ssize_t n = pread(fd, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ReadError(path_, offset);
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] != '\n') continue;
      line_start = offset + i + 1;
      ++end_entries_;
      if (end_entries_ % kCheckpointEvery == 0) {
        checkpoints_.push_back(line_start);
      }
    }
    offset += static_cast<uint64_t>(n);
  }
  end_offset_ = line_start;
  return true;
}

void ImaLogReader::Reset() {
  absl::MutexLock lock(&mu_);
  ResetLocked();
}

void ImaLogReader::ResetLocked() {
  checkpoints_ = {0};
  end_offset_ = 0;
  end_entries_ = 0;
}

absl::StatusOr<ImaPage> ImaLogReader::Read(uint64_t start,
                                           uint32_t max_entries,
                                           size_t max_bytes) {
  ImaPage page;
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      page.log_missing = true;
      return page;
    }
    return absl::InternalError(
        absl::StrCat("cannot open ", path_, ": ", strerror(errno)));
  }
  absl::Cleanup close_fd = [fd] { close(fd); };
  absl::MutexLock lock(&mu_);
  absl::StatusOr<bool> refreshed = Refresh(fd);
  if (!refreshed.ok()) return refreshed.status();
  page.total_entries = end_entries_;
  if (start > end_entries_) {
    start = 0;
    page.restarted_from_zero = true;
  }
  page.start_entry = start;
  if (start == end_entries_) return page;  // nothing new
  // Seek to the checkpoint at or before `start`, skip to the entry.
  uint64_t entry = (start / kCheckpointEvery) * kCheckpointEvery;
  uint64_t offset = checkpoints_[start / kCheckpointEvery];
  std::string buf(kChunk, '\0');
  std::string partial;
  size_t bytes = 0;
  while (offset < end_offset_) {
    size_t want = static_cast<size_t>(
        std::min<uint64_t>(buf.size(), end_offset_ - offset));
    ssize_t n = pread(fd, buf.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ReadError(path_, offset);
    size_t line_begin = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (buf[i] != '\n') continue;
      if (entry >= start) {
        partial.append(buf.data() + line_begin, i - line_begin);
        bytes += partial.size() + 1;
        page.lines.push_back(std::move(partial));
        if (page.lines.size() >= max_entries || bytes >= max_bytes) {
          page.more = start + page.lines.size() < end_entries_;
          return page;
        }
      }
      partial.clear();
      line_begin = i + 1;
      ++entry;
    }
    if (entry >= start) partial.append(buf.data() + line_begin, n - line_begin);
    offset += static_cast<uint64_t>(n);
  }
  page.more = false;
  return page;
}

}  // namespace candor::agent
