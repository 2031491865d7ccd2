// File: lib/policy/boot/create.h
//
// Makes a measured-boot reference state from a UEFI event log, as Keylime's
// `keylime-policy create measured-boot -e LOG` does, such that the same log
// passes it (EvaluateReferenceState gives no failures): the S-CRTM and
// firmware blob digests, PK/KEK/db/dbx keys, MokList/MokListX digests, and
// one kernels[] entry with shim, GRUB (and, with Secure Boot, kernel)
// Authenticode digests, the initrd (and, without Secure Boot, vmlinuz)
// digest, and the kernel command line as an exact RE2 regex (metacharacters
// escaped).
// Digests are sha256 where the log has that bank, else its first bank
// (kernels[] always needs sha256).
//
// Errors (the log does not describe one shim -> GRUB -> kernel boot the
// state can express): FAILED_PRECONDITION naming what is missing or
// ambiguous, e.g. "found 3 boot applications on PCR 4 after the separator,
// expected shim and grub" or Secure Boot off without allow_without_secureboot.
// Pure; thread-safe.
#ifndef CANDOR_LIB_POLICY_BOOT_CREATE_H_
#define CANDOR_LIB_POLICY_BOOT_CREATE_H_

#include "absl/status/statusor.h"
#include "lib/eventlog/event_log.h"
#include "lib/policy/boot/reference_state.h"

namespace candor::policy {

struct ReferenceStateOptions {
  // Keylime's --without-secureboot: accept a log with Secure Boot off and
  // make a state with has_secureboot false. Without it such a log is an
  // error, so a state does not silently stop requiring Secure Boot.
  bool allow_without_secureboot = false;
};

absl::StatusOr<ReferenceState> CreateReferenceState(
    const eventlog::EventLog& log, const ReferenceStateOptions& options = {});

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_BOOT_CREATE_H_
