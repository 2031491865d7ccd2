// File: tests/harness/temp_dir.h
//
// Private temporary directories that are removed at the end even when the test
// fails. Each holds an `owner.pid` file; creating a new one first removes older
// directories with the same prefix whose owner process is gone (a test killed
// by Bazel's timeout cannot clean up after itself).
#ifndef CANDOR_TESTS_HARNESS_TEMP_DIR_H_
#define CANDOR_TESTS_HARNESS_TEMP_DIR_H_

#include <string>

#include "absl/status/statusor.h"

namespace candor::testing {

class TempDir {
 public:
  // mkdtemp("<parent>/<prefix>XXXXXX"), mode 0700, plus owner.pid.
  static absl::StatusOr<TempDir> Create(const std::string& parent,
                                        const std::string& prefix);
  TempDir() = default;
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir& operator=(TempDir&& o) noexcept;
  ~TempDir();  // removes the tree

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Recursively changes the owner of `path` to `user` (e.g. "postgres").
absl::Status ChownTree(const std::string& path, const std::string& user);

// Writes `contents` to `path` (truncating).
absl::Status WriteFile(const std::string& path, const std::string& contents);

}  // namespace candor::testing

#endif  // CANDOR_TESTS_HARNESS_TEMP_DIR_H_
