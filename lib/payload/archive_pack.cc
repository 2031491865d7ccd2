#include "lib/payload/archive_pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace candor::payload {
namespace {

namespace fs = std::filesystem;

struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// Output sink: appends to a string, refusing to grow past `max`.
struct Sink {
  std::string data;
  size_t max = 0;
  bool overflow = false;
};

la_ssize_t SinkWrite(archive*, void* client, const void* buf, size_t n) {
  auto* sink = static_cast<Sink*>(client);
  if (sink->data.size() + n > sink->max) {
    sink->overflow = true;
    return -1;
  }
  sink->data.append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

class Packer {
 public:
  Packer(const std::string& root, size_t max_size) : root_(root) {
    sink_.max = max_size;
  }

  absl::StatusOr<std::string> Run() {
    a_.reset(archive_write_new());
    if (a_ == nullptr) return absl::InternalError("archive_write_new failed");
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_in_last_block(a_.get(), 1);
    if (archive_write_open2(a_.get(), &sink_, nullptr, &SinkWrite, nullptr,
                            nullptr) != ARCHIVE_OK) {
      return Error(root_);
    }
    std::error_code ec;
    std::vector<fs::path> paths;
    for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end;
         it.increment(ec)) {
      paths.push_back(it->path());
    }
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("payload ", root_, ": ", ec.message()));
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
      if (absl::Status s = Add(path); !s.ok()) return s;
    }
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return Error(root_);
    return std::move(sink_.data);
  }

 private:
  absl::Status Error(const std::string& path) {
    if (sink_.overflow) {
      return absl::ResourceExhaustedError(
          absl::StrCat("payload ", root_, ": the archive exceeds the limit of ",
                       sink_.max, " bytes (at ", path, ")"));
    }
    const char* msg = archive_error_string(a_.get());
    return absl::InvalidArgumentError(absl::StrCat(
        "payload ", path, ": archiving failed: ", msg ? msg : "unknown error"));
  }

  absl::Status Add(const fs::path& path) {
    const std::string p = path.string();
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("payload ", p, ": ", std::strerror(errno)));
    }
    const std::string rel = path.lexically_relative(root_).generic_string();
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), rel.c_str());
    archive_entry_set_perm(e.get(), st.st_mode & 07777);
    archive_entry_set_mtime(e.get(), st.st_mtime, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    std::string content;
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
    } else if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path target = fs::read_symlink(path, ec);
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("payload ", p, ": ", ec.message()));
      }
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), target.c_str());
    } else if (S_ISREG(st.st_mode)) {
      if (static_cast<uint64_t>(st.st_size) > sink_.max) {
        return absl::ResourceExhaustedError(
            absl::StrCat("payload ", p, " is ", st.st_size,
                         " bytes, more than the limit of ", sink_.max));
      }
      std::ifstream in(p, std::ios::binary);
      if (!in) {
        return absl::InvalidArgumentError(absl::StrCat(
            "payload ", p, ": cannot open: ", std::strerror(errno)));
      }
      content.assign(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "payload ", p, ": not a regular file, directory or symlink"));
    }
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) return Error(p);
    if (!content.empty() &&
        archive_write_data(a_.get(), content.data(), content.size()) !=
            static_cast<la_ssize_t>(content.size())) {
      return Error(p);
    }
    return absl::OkStatus();
  }

  std::string root_;
  Sink sink_;
  std::unique_ptr<archive, ArchiveWriteDeleter> a_;
};

}  // namespace

absl::StatusOr<std::string> PackDirectory(const std::string& dir,
                                          size_t max_size) {
  return Packer(dir, max_size).Run();
}

}  // namespace candor::payload
