#include "tests/harness/temp_dir.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::testing {
namespace fs = std::filesystem;
namespace {

bool ProcessAlive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

// Removes "<parent>/<prefix>*" directories left by processes that are gone.
void SweepStale(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    std::string name = entry.path().filename().string();
    if (!absl::StartsWith(name, prefix) || !entry.is_directory(ec)) continue;
    std::ifstream in(entry.path() / "owner.pid");
    std::string pid_text;
    if (!(in >> pid_text)) continue;
    int pid = 0;
    if (!absl::SimpleAtoi(pid_text, &pid) || pid <= 0) continue;
    if (!ProcessAlive(pid)) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

absl::StatusOr<TempDir> TempDir::Create(const std::string& parent,
                                        const std::string& prefix) {
  SweepStale(parent, prefix);
  std::string templ = absl::StrCat(parent, "/", prefix, "XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp ", templ, ": ", strerror(errno)));
  }
  TempDir dir(templ);
  absl::Status s =
      WriteFile(dir.Sub("owner.pid"), absl::StrCat(getpid(), "\n"));
  if (!s.ok()) return s;
  return dir;
}

TempDir& TempDir::operator=(TempDir&& o) noexcept {
  if (this != &o) {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
    path_ = std::move(o.path_);
    o.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

absl::Status ChownTree(const std::string& path, const std::string& user) {
  struct passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) {
    return absl::NotFoundError(absl::StrCat("user '", user, "' does not exist"));
  }
  auto chown_one = [&](const std::string& p) -> absl::Status {
    if (lchown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return absl::InternalError(
          absl::StrCat("chown ", p, " to ", user, ": ", strerror(errno)));
    }
    return absl::OkStatus();
  };
  absl::Status s = chown_one(path);
  if (!s.ok()) return s;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(path, ec)) {
    s = chown_one(e.path().string());
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace candor::testing
