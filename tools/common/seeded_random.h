// File: tools/common/seeded_random.h
//
// Bytes for the emulators in tools/: deterministic ones derived from a seed
// (so the same flags give byte-identical logs), random ones from OpenSSL's
// CSPRNG, and UUIDs (boot ids, disk and partition GUIDs).
//
// SeededBytes(seed, label, n) is SHA-256 in counter mode over
//   be32(len(seed)) || seed || be32(len(label)) || label || be32(block)
// truncated to n bytes: a pure function, distinct for every (seed, label).
// It is NOT a secret-quality generator and is never used for keys.
// Thread-safe.
#ifndef CANDOR_TOOLS_COMMON_SEEDED_RANDOM_H_
#define CANDOR_TOOLS_COMMON_SEEDED_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::tools {

std::string SeededBytes(absl::string_view seed, absl::string_view label,
                        size_t n);

// A number in [0, bound) from SeededBytes (bound > 0).
uint64_t SeededIndex(absl::string_view seed, absl::string_view label,
                     uint64_t bound);

// `n` bytes from RAND_bytes. INTERNAL with OpenSSL's reason on failure.
absl::StatusOr<std::string> RandomBytes(size_t n);

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" (RFC 4122 version 4) from the first
// 16 bytes of `bytes` (zero-filled when shorter), lower case, as the kernel
// prints /proc/sys/kernel/random/boot_id.
std::string UuidV4FromBytes(absl::string_view bytes);

// A fresh random version-4 UUID. INTERNAL when the CSPRNG fails.
absl::StatusOr<std::string> RandomUuid();

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_COMMON_SEEDED_RANDOM_H_
