#include "lib/payload/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace candor::payload {
namespace {

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ReadPtr = std::unique_ptr<archive, ReadDeleter>;
using WritePtr = std::unique_ptr<archive, WriteDeleter>;

ReadPtr OpenReader(absl::string_view data) {
  ReadPtr a(archive_read_new());
  if (a == nullptr) return a;
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) !=
      ARCHIVE_OK) {
    a.reset();
  }
  return a;
}

std::string ErrorString(archive* a) {
  const char* msg = archive_error_string(a);
  return msg != nullptr ? msg : "unknown libarchive error";
}

// Splits a relative path into its components (empty and "." dropped).
// Returns false for an absolute path or one with a ".." component.
bool SafeComponents(absl::string_view path, std::vector<std::string>* out) {
  if (path.empty() || path[0] == '/') return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return false;
    out->emplace_back(part);
  }
  return !out->empty();
}

// A symlink at `entry` (components) pointing to `target` stays inside the
// extraction root when resolved lexically.
bool SymlinkStaysInside(const std::vector<std::string>& entry,
                        absl::string_view target) {
  if (target.empty() || target[0] == '/') return false;
  int depth = static_cast<int>(entry.size()) - 1;  // the link's directory
  for (absl::string_view part : absl::StrSplit(target, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (--depth < 0) return false;
    } else {
      ++depth;
    }
  }
  return true;
}

absl::Status WriteRaw(absl::string_view data, const std::string& dest_dir) {
  const std::string path = absl::StrCat(dest_dir, "/", kRawPayloadName);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("creating ", path, ": ", std::strerror(errno)));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return absl::InternalError(
          absl::StrCat("writing ", path, ": ", std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return absl::InternalError(
        absl::StrCat("closing ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ExtractResult> ExtractPayload(absl::string_view plaintext,
                                             const std::string& dest_dir,
                                             size_t max_total_size) {
  ExtractResult result;
  ReadPtr reader = OpenReader(plaintext);
  archive_entry* entry = nullptr;
  int r = reader == nullptr ? ARCHIVE_FATAL
                            : archive_read_next_header(reader.get(), &entry);
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
    // Not an archive libarchive recognizes: store the bytes as they are.
    if (plaintext.size() > max_total_size) {
      return absl::ResourceExhaustedError(
          absl::StrCat("payload is ", plaintext.size(),
                       " bytes, more than the limit of ", max_total_size));
    }
    if (absl::Status s = WriteRaw(plaintext, dest_dir); !s.ok()) return s;
    result.entries = 1;
    result.total_bytes = plaintext.size();
    return result;
  }
  result.was_archive = true;
  // Entries are written by absolute name under the canonical root, so that
  // SECURE_SYMLINKS sees no symlink of our own on the way.
  char* canonical = ::realpath(dest_dir.c_str(), nullptr);
  if (canonical == nullptr) {
    return absl::InternalError(
        absl::StrCat("realpath(", dest_dir, "): ", std::strerror(errno)));
  }
  const std::string root = canonical;
  std::free(canonical);

  WritePtr writer(archive_write_disk_new());
  if (writer == nullptr) return absl::InternalError("archive_write_disk_new");
  archive_write_disk_set_options(writer.get(),
                                 ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                     ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                     ARCHIVE_EXTRACT_NO_OVERWRITE);

  for (size_t index = 0;; ++index) {
    if (index > 0) {
      r = archive_read_next_header(reader.get(), &entry);
      if (r == ARCHIVE_EOF) break;
    }
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return absl::InvalidArgumentError(absl::StrCat(
          "payload archive: entry ", index, ": ", ErrorString(reader.get())));
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name != nullptr ? raw_name : "";
    const std::string where =
        absl::StrCat("payload archive: entry ", index, " \"", name, "\"");
    std::vector<std::string> parts;
    if (!SafeComponents(name, &parts)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": absolute path, \"..\" component or empty name refused"));
    }
    if (archive_entry_hardlink(entry) != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": hard links are refused"));
    }
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (target == nullptr || !SymlinkStaysInside(parts, target)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": symlink to \"", target ? target : "",
                         "\" points outside the payload directory"));
      }
    } else if (type != AE_IFREG && type != AE_IFDIR) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": only regular files, directories and symlinks are allowed"));
    }
    const la_int64_t size = archive_entry_size(entry);
    if (size < 0 ||
        static_cast<uint64_t>(size) > max_total_size - result.total_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(where, ": the payload expands to more than ",
                       max_total_size, " bytes"));
    }
    std::string full = root;
    for (const std::string& p : parts) absl::StrAppend(&full, "/", p);
    archive_entry_set_pathname(entry, full.c_str());
    archive_entry_set_perm(entry, archive_entry_perm(entry) & 0777);
    if (archive_write_header(writer.get(), entry) != ARCHIVE_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", ErrorString(writer.get())));
    }
    if (type == AE_IFREG) {
      const void* buf = nullptr;
      size_t len = 0;
      la_int64_t offset = 0;
      size_t written = 0;
      for (;;) {
        r = archive_read_data_block(reader.get(), &buf, &len, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": ", ErrorString(reader.get())));
        }
        written += len;
        if (written > max_total_size - result.total_bytes) {
          return absl::ResourceExhaustedError(
              absl::StrCat(where, ": the payload expands to more than ",
                           max_total_size, " bytes"));
        }
        if (archive_write_data_block(writer.get(), buf, len, offset) !=
            ARCHIVE_OK) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, ": ", ErrorString(writer.get())));
        }
      }
      result.total_bytes += written;
    }
    if (archive_write_finish_entry(writer.get()) != ARCHIVE_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", ErrorString(writer.get())));
    }
    ++result.entries;
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) {
    return absl::InternalError(
        absl::StrCat("payload archive: ", ErrorString(writer.get())));
  }
  return result;
}

}  // namespace candor::payload
