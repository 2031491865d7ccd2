// File: tools/ima/ima_record.h
//
// One IMA measurement as the kernel records it (security/integrity/ima/
// ima_template_lib.c, ima_fs.c): the ascii_runtime_measurements line, the
// template data the kernel hashes, and the per-bank PCR-10 extend value of a
// kernel >= 5.8. Written independently of lib/ima's parser so that tests can
// cross-check the two.
//
// Template data (little-endian lengths, as on x86):
//   d-ng  le32(len) || "<algo>" ':' '\0' || digest
//   n-ng  le32(len) || path '\0'
//   sig   le32(len) || signature bytes      (ima-sig only; len may be 0)
// Line: "10 <sha1(template data) hex> <template> <algo>:<digest hex> <path>"
// and, for ima-sig, " <sig hex>" (empty for an unsigned file, so the line
// ends with "<path> ").
// A violation (ToMToU / open-writers) has a template hash of 40 zeros and
// d-ng "<algo>:" followed by IMA_DIGEST_SIZE (20) zero bytes; PCR 10 is then
// extended with 0xFF bytes of each bank's size.
// boot_aggregate (ima_calc_boot_aggregate): H(PCR0..7) on the SHA-1 bank,
// H_algo(PCR0..9) of the algo's bank otherwise.
//
// Errors: INVALID_ARGUMENT naming the field (path with a newline or NUL,
// empty or over 4095 bytes; digest of the wrong size; signature on an ima-ng
// entry; unsupported algorithm). Pure functions; thread-safe.
#ifndef CANDOR_TOOLS_IMA_IMA_RECORD_H_
#define CANDOR_TOOLS_IMA_IMA_RECORD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/ima/hash_algo.h"
#include "lib/tpm/pcr_values.h"

namespace candor::tools {

inline constexpr uint32_t kImaPcr = 10;
inline constexpr size_t kMaxImaPath = 4095;  // PATH_MAX - 1

enum class ImaTemplate { kImaNg, kImaSig };

// "ima-ng" / "ima-sig".
absl::string_view ImaTemplateName(ImaTemplate t);
// INVALID_ARGUMENT for other names (the emulator writes these two only).
absl::StatusOr<ImaTemplate> ParseImaTemplate(absl::string_view name);

struct ImaRecord {
  std::string line;           // without the newline
  std::string template_data;  // the bytes the kernel hashes
  bool violation = false;
};

// A file measurement. `digest` is raw, HashAlgoSize(algo) bytes; `sig` the
// raw ima-sig field (signature.h), only for kImaSig.
absl::StatusOr<ImaRecord> MakeMeasurement(ImaTemplate t, absl::string_view path,
                                          ima::HashAlgo algo,
                                          absl::string_view digest,
                                          absl::string_view sig = "");

// A violation entry for `path`, with the file-digest algorithm `algo`.
absl::StatusOr<ImaRecord> MakeViolation(ImaTemplate t, absl::string_view path,
                                        ima::HashAlgo algo);

// H(PCR0..7) (SHA-1) or H_algo(PCR0..9) from `pcrs` (the algo's bank).
// INVALID_ARGUMENT when algo has no PCR bank; NOT_FOUND naming the bank and
// PCR that `pcrs` lacks.
absl::StatusOr<std::string> ComputeBootAggregate(ima::HashAlgo algo,
                                                 const tpm::PcrValues& pcrs);

// The boot_aggregate entry: a measurement named "boot_aggregate".
absl::StatusOr<ImaRecord> MakeBootAggregate(ImaTemplate t, ima::HashAlgo algo,
                                            const tpm::PcrValues& pcrs);

// The PCR-10 extend of `record` in each bank of `banks` (kernel >= 5.8:
// H_bank(template data), or 0xFF bytes for a violation).
absl::StatusOr<tpm::PcrExtend> Pcr10Extend(
    const ImaRecord& record, const std::vector<TPM2_ALG_ID>& banks);

// Raw hash of `data` with an IMA algorithm (file digests). INVALID_ARGUMENT
// for kUnknown; INTERNAL when OpenSSL lacks it.
absl::StatusOr<std::string> ImaHash(ima::HashAlgo algo, absl::string_view data);

// Parses "<algo>:<hex>" (the d-ng form, e.g. "sha256:ab12..."): the algorithm
// and the raw digest. INVALID_ARGUMENT naming the text otherwise.
absl::StatusOr<std::pair<ima::HashAlgo, std::string>> ParseAlgoDigest(
    absl::string_view text);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_IMA_IMA_RECORD_H_
