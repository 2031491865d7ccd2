// File: lib/policy/runtime/tree_hasher.h
//
// Policy creation from a directory tree (`tenant policy create --dir`): hash
// every regular file under `root` and add it to a PolicyBuilder under the
// absolute path it has when `root` is mounted as "/": ROOT/usr/bin/ls ->
// "/usr/bin/ls" (so an image mounted anywhere gives the paths its machine
// will measure; --dir / gives the host's own paths). Spaces in names become
// '_' as IMA records them.
//
// What is hashed: regular files only. Symbolic links are not followed (IMA
// measures the file a link resolves to, under its own path), directories on
// another filesystem than `root` (/proc, /sys, other mounts) are not entered
// unless cross_filesystems is set, and a path an exclude matches is left out
// (the excludes are matched against the mapped absolute path; a directory
// is still walked, since an exclude anchored at the start may match some of
// its files but not others). Unreadable files and directories are counted
// and named in CreateStats::warnings, not fatal.
//
// Files are hashed on `threads` threads (0: one per CPU). The progress
// callback, if set, is called from the calling thread about every 0.5 s
// with the files and bytes hashed so far.
#ifndef CANDOR_LIB_POLICY_RUNTIME_TREE_HASHER_H_
#define CANDOR_LIB_POLICY_RUNTIME_TREE_HASHER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "lib/ima/hash_algo.h"
#include "lib/policy/runtime/excludes.h"
#include "lib/policy/runtime/policy_builder.h"

namespace candor::policy {

struct TreeOptions {
  std::string root;
  ima::HashAlgo algo = ima::HashAlgo::kSha256;
  const ExcludeList* excludes = nullptr;
  bool cross_filesystems = false;
  int threads = 0;
  std::function<void(uint64_t files, uint64_t total_files, uint64_t bytes)>
      progress;
};

// NOT_FOUND when `root` does not exist, INVALID_ARGUMENT when it is not a
// directory, INTERNAL when OpenSSL fails.
absl::Status AddDirectoryTree(const TreeOptions& options,
                              PolicyBuilder* builder, CreateStats* stats);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_TREE_HASHER_H_
