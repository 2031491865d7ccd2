#include "tools/ima/ima_log_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace candor::tools {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path, int err) {
  std::string msg =
      absl::StrCat("IMA log ", path, ": ", what, ": ", std::strerror(err));
  return err == ENOENT ? absl::NotFoundError(msg) : absl::InternalError(msg);
}

}  // namespace

absl::StatusOr<ImaLogFile> ImaLogFile::Open(const std::string& path) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("open", path, errno);
    ImaLogFile file(path, fd);
    int rc;
    do {
      rc = flock(fd, LOCK_EX);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return Errno("flock", path, errno);
    struct stat held, named;
    if (fstat(fd, &held) != 0) return Errno("fstat", path, errno);
    if (stat(path.c_str(), &named) == 0 && named.st_dev == held.st_dev &&
        named.st_ino == held.st_ino) {
      return file;
    }
    // Replaced or removed while we waited: lock the file the path names now.
  }
  return absl::InternalError(absl::StrCat(
      "IMA log ", path, ": the file keeps being replaced; cannot lock it"));
}

ImaLogFile& ImaLogFile::operator=(ImaLogFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(o.path_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

ImaLogFile::~ImaLogFile() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

absl::StatusOr<uint64_t> ImaLogFile::Size() {
  struct stat st;
  if (fstat(fd_, &st) != 0) return Errno("fstat", path_, errno);
  return static_cast<uint64_t>(st.st_size);
}

absl::StatusOr<ImaLogSummary> ImaLogFile::Summarize() {
  ImaLogSummary s;
  char buf[1 << 16];
  uint64_t offset = 0;
  bool first_done = false;
  for (;;) {
    ssize_t n = pread(fd_, buf, sizeof(buf), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read", path_, errno);
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        ++s.entries;
        s.complete_size = offset + static_cast<uint64_t>(i) + 1;
        first_done = true;
      } else if (!first_done) {
        s.first_line.push_back(buf[i]);
      }
    }
    offset += static_cast<uint64_t>(n);
  }
  s.size = offset;
  if (!first_done) s.first_line.clear();  // a partial first line is no line
  return s;
}

absl::Status ImaLogFile::Append(absl::string_view text) {
  if (lseek(fd_, 0, SEEK_END) < 0) return Errno("lseek", path_, errno);
  while (!text.empty()) {
    ssize_t n = write(fd_, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path_, errno);
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status ImaLogFile::Truncate(uint64_t size) {
  if (ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return Errno("ftruncate", path_, errno);
  }
  return absl::OkStatus();
}

}  // namespace candor::tools
