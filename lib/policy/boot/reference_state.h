// File: lib/policy/boot/reference_state.h
//
// The measured-boot reference state: Keylime's "example" policy reference
// state (keylime/mba/elchecking/example.py, example_reference_state.json,
// keylime-policy create measured-boot), which `tenant bootlog refstate`
// writes and BootPolicy evaluates (boot_policy.h). JSON shape:
//
//   {"has_secureboot": true,                       optional, default true
//    "scrtm_and_bios": [{"scrtm": {"sha256": "0x.."},          PCR 0
//                        "platform_firmware": [{"sha256": "0x.."}, ...]}],
//    "pk":  [{"SignatureOwner": "<guid>", "SignatureData": "0x.."}], PCR 7
//    "kek": [...], "db": [...], "dbx": [...],
//    "mokdig": [{"sha256": "0x.."}], "mokxdig": [...],           PCR 14
//    "kernels": [{"shim_authcode_sha256": "0x..",                PCR 4
//                 "grub_authcode_sha256": "0x..",
//                 "kernel_authcode_sha256": "0x..",   with Secure Boot
//                 "vmlinuz_plain_sha256": "0x..",     without (PCR 9)
//                 "initrd_plain_sha256": "0x..",                 PCR 9
//                 "kernel_cmdline": "<RE2 regex>"}]}             PCR 8
//
// Digests are maps bank name ("sha1", "sha256", ...) -> "0x" + hex of the
// bank's size. SignatureOwner is a GUID in registry form; Keylime states made
// with tpm2-tools < 5.2 spell it in storage byte order, and both spellings
// match (keylime#1003). Keys not listed are ignored (e.g. Keylime's
// "vendor_db"). Candor relaxes two rules: hex digits may be upper case, and
// "scrtm" may be absent (the log must then have no EV_S_CRTM_VERSION).
//
// Parse validates everything and returns INVALID_ARGUMENT naming the field
// and index ("kernels[0].kernel_cmdline: RE2 rejects ...") on any error; the
// kernel_cmdline regexes are compiled (RE2, linear time) at parse time.
// A ReferenceState is immutable once parsed and safe to share across threads.
#ifndef CANDOR_LIB_POLICY_BOOT_REFERENCE_STATE_H_
#define CANDOR_LIB_POLICY_BOOT_REFERENCE_STATE_H_

#include <tss2/tss2_tpm2_types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/eventlog/guid.h"
#include "re2/re2.h"

namespace candor::policy {

// Bank -> raw digest. Matches an event when, for some bank both have, the
// digests are equal (Keylime's DigestTest).
using DigestSpec = std::map<TPM2_ALG_ID, std::string>;

struct ScrtmAndBios {
  std::optional<DigestSpec> scrtm;
  std::vector<DigestSpec> platform_firmware;  // in log order
};

struct SignatureSpec {
  eventlog::Guid owner;  // as written (either byte order matches)
  std::string data;      // raw SignatureData
};

struct KernelSpec {
  std::string shim_authcode_sha256;  // raw 32 bytes
  std::string grub_authcode_sha256;
  std::string kernel_authcode_sha256;  // empty without Secure Boot
  std::string vmlinuz_plain_sha256;    // empty with Secure Boot
  std::string initrd_plain_sha256;
  std::string kernel_cmdline;  // the regex as written
  std::shared_ptr<const RE2> kernel_cmdline_re;
};

struct ReferenceState {
  bool has_secureboot = true;
  std::vector<ScrtmAndBios> scrtm_and_bios;  // at least one
  std::vector<SignatureSpec> pk, kek, db, dbx;
  std::vector<DigestSpec> mokdig, mokxdig;
  std::vector<KernelSpec> kernels;  // at least one
};

// Maximum size of a reference-state document (Keylime's max_upload_size).
inline constexpr size_t kMaxReferenceStateBytes = 100 << 20;

// Parses and validates a reference state (see the file comment).
absl::StatusOr<ReferenceState> ParseReferenceState(absl::string_view json);

// Validates the kernel_cmdline regex `pattern` of kernels[index]: compiled,
// or INVALID_ARGUMENT naming the field and RE2's complaint.
absl::StatusOr<std::shared_ptr<const RE2>> CompileCmdline(
    const std::string& pattern, size_t index);

// The reference state as JSON in Keylime's shape (digests "0x" + lower-case
// hex, owners as parsed or, from CreateReferenceState, in registry form),
// keys in the order above, 2-space indent.
std::string ReferenceStateToJson(const ReferenceState& state);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_BOOT_REFERENCE_STATE_H_
