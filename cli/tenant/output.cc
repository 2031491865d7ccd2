#include "cli/tenant/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace candor::tenant {

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown output format '", name, "': use json or table"));
}

std::string Table::Render() const {
  std::vector<size_t> width(header.size(), 0);
  auto widen = [&width](const std::vector<std::string>& row) {
    if (row.size() > width.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  widen(header);
  for (const auto& r : rows) widen(r);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string l;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&l, row[i]);
      if (i + 1 < row.size()) l.append(width[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, l, "\n");
  };
  if (!header.empty()) line(header);
  for (const auto& r : rows) line(r);
  return out;
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents) {
  std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot write ", path, ": ", strerror(errno)));
  }
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      unlink(tmp.c_str());
      return absl::InternalError(
          absl::StrCat("writing ", path, ": ", strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return absl::InternalError(
        absl::StrCat("writing ", path, ": ", strerror(err)));
  }
  return absl::OkStatus();
}

absl::Status Output::EmitText(const std::string& text) {
  if (out_path_.empty()) {
    std::cout << text << std::flush;
    return std::cout ? absl::OkStatus()
                     : absl::InternalError("writing to stdout failed");
  }
  return WriteFileAtomically(out_path_, text);
}

absl::Status Output::Emit(const nlohmann::json& json, const Table& table) {
  if (format_ == OutputFormat::kJson) return EmitText(json.dump(2) + "\n");
  return EmitText(table.Render());
}

}  // namespace candor::tenant
