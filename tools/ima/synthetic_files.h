// File: tools/ima/synthetic_files.h
//
// Realistic files for a synthetic IMA log: what a Debian system measures
// first after boot (systemd, the dynamic loader, libc, udev, sshd, ...),
// then generated binaries and libraries under /usr/bin, /usr/sbin, /usr/lib,
// /usr/libexec, /usr/local/bin, /opt. File number `i` of a boot always has
// the same path, so repeated `add --count` calls continue the list and a
// rebooted node measures the same files again.
//
// Digests: deterministic (default) H_algo("candor-ima-emulator:" seed ":"
// path): the same seed and path give the same digest in every boot, as the
// same file would, so a runtime policy made from one boot's log passes the
// next; or random bytes (a fresh "version" of every file). Thread-safe.
#ifndef CANDOR_TOOLS_IMA_SYNTHETIC_FILES_H_
#define CANDOR_TOOLS_IMA_SYNTHETIC_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/ima/hash_algo.h"

namespace candor::tools {

struct SyntheticFile {
  std::string path;
  std::string digest;  // raw, of the options' algo
};

struct SyntheticOptions {
  std::string seed = "candor";
  bool random_digests = false;
  ima::HashAlgo algo = ima::HashAlgo::kSha256;
};

// The path of file number `index` (0 = the first file after boot_aggregate).
std::string SyntheticPath(uint64_t index);

// Files `first` .. `first + count - 1`. INVALID_ARGUMENT for an unknown
// algorithm; INTERNAL when OpenSSL fails.
absl::StatusOr<std::vector<SyntheticFile>> SyntheticFiles(
    uint64_t first, uint64_t count, const SyntheticOptions& options);

// The deterministic digest of `path` under `options` (what SyntheticFiles
// gives without random_digests).
absl::StatusOr<std::string> SyntheticDigest(const std::string& path,
                                            const SyntheticOptions& options);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_IMA_SYNTHETIC_FILES_H_
