// File: lib/ima/entry.h
//
// One line of the kernel's ascii_runtime_measurements, parsed without
// allocating: every text field is an absl::string_view into the caller's
// line, digests are decoded into fixed buffers. The line must outlive the
// Entry.
//
// Line format (security/integrity/ima/ima_fs.c, ima_template_lib.c):
//   <pcr> <template-hash hex> <template-name> <field> ...
// with the fields of the template, each preceded by one space:
//   ima         d (bare hex, SHA-1 or MD5)   n (name, at most 255 bytes)
//   ima-ng      d-ng ("<algo>:<hex>")        n-ng
//   ima-sig     d-ng  n-ng  sig (hex, may be empty: the line ends "<path> ")
//   ima-modsig  d-ng  n-ng  sig  d-modsig ("<algo>:<hex>" or empty)  modsig
//   ima-buf     d-ng  n-ng  buf (hex)
// The kernel replaces spaces in names with '_', but names are taken as
// printed: n/n-ng is the text between the digest and the trailing hex
// fields, so a name with spaces still parses (the hex fields are located
// from the end of the line). Names are bytes and need not be UTF-8.
//
// A template hash of all zeros marks a violation (ToMToU / open-writers);
// its d-ng digest may then be 20 zero bytes whatever the algorithm (the
// kernel's IMA_DIGEST_SIZE). The template hash is not checked here (see
// template_data.h and replay.h).
//
// Errors (absl::Status, message "line N: <what>"):
//   INVALID_ARGUMENT  malformed line: field count, hex, digest size, PCR
//                     number, unknown digest algorithm (ima.log_malformed)
//   UNIMPLEMENTED     a template other than the five above
//                     (ima.unsupported_template)
// Thread-safe (no shared state).
#ifndef CANDOR_LIB_IMA_ENTRY_H_
#define CANDOR_LIB_IMA_ENTRY_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/ima/hash_algo.h"

namespace candor::ima {

enum class Template : uint8_t { kIma, kImaNg, kImaSig, kImaModsig, kImaBuf };

// "ima", "ima-ng", "ima-sig", "ima-modsig", "ima-buf".
absl::string_view TemplateName(Template t);

// The longest name the legacy 'ima' template's fixed 'n' field holds
// (IMA_EVENT_NAME_LEN_MAX); the field is this plus a NUL, zero-padded.
inline constexpr size_t kImaNameMax = 255;

// The digest size the kernel records for a violation (IMA_DIGEST_SIZE).
inline constexpr size_t kViolationDigestSize = 20;

// A decoded digest. `algo` is known for every parsed digest.
struct Digest {
  HashAlgo algo = HashAlgo::kUnknown;
  uint8_t size = 0;
  uint8_t bytes[kMaxDigestSize];

  absl::string_view view() const {
    return absl::string_view(reinterpret_cast<const char*>(bytes), size);
  }
};

struct Entry {
  uint32_t pcr = 0;
  Template tmpl = Template::kImaNg;

  // The template hash field (SHA-1 by default: ParseLine's
  // template_hash_algo), decoded.
  uint8_t template_hash_size = 0;
  uint8_t template_hash[kMaxDigestSize];
  // Template hash all zeros: a violation, replayed as 0xFF bytes.
  bool violation = false;
  // Template hash all 0xFF: never written by a kernel, a mismatch.
  bool template_hash_all_ff = false;

  // d / d-ng: the text as printed ("sha256:ab12..", or bare hex for 'ima'),
  // the algorithm name as printed ("" for 'ima') and the decoded digest.
  absl::string_view digest_field;
  absl::string_view algo_name;
  Digest digest;

  // n / n-ng, as printed.
  absl::string_view path;

  // ima-sig / ima-modsig: the sig field's hex ("" when unsigned).
  absl::string_view sig_hex;
  // ima-modsig: d-modsig ("" when the file has no appended signature) and
  // the modsig field's hex.
  absl::string_view modsig_digest_field;
  absl::string_view modsig_algo_name;
  Digest modsig_digest;
  absl::string_view modsig_hex;

  // ima-buf: the buf field's hex.
  absl::string_view buf_hex;

  absl::string_view template_hash_view() const {
    return absl::string_view(reinterpret_cast<const char*>(template_hash),
                             template_hash_size);
  }
};

// Parses `line` (without its newline) into `*entry`. `line_number` (1-based)
// only names the line in errors. The template hash must be
// HashAlgoSize(template_hash_algo) bytes (Keylime's ima.log_hash_alg;
// kernels print SHA-1). `*entry` is unspecified after an error.
absl::Status ParseLine(absl::string_view line, uint64_t line_number,
                       Entry* entry,
                       HashAlgo template_hash_algo = HashAlgo::kSha1);

// The failure id for a ParseLine error: "ima.unsupported_template" for
// UNIMPLEMENTED, "ima.log_malformed" otherwise.
absl::string_view ParseFailureId(const absl::Status& status);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_ENTRY_H_
