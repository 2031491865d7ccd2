// File: lib/policy/boot/evaluate.h
//
// Evaluation of a parsed UEFI event log against a measured-boot reference
// state (reference_state.h), Keylime's "example" policy semantics with every
// finding reported (not only the first). The checks, each with its failure id
// (lib/failure/catalogue.h):
//
//   boot.scrtm_mismatch      the S-CRTM version digest and the platform
//                            firmware blob digests (in order, same count)
//                            equal those of one scrtm_and_bios entry
//   boot.secureboot_disabled has_secureboot: the SecureBoot variable is
//                            measured and is 1
//   boot.pk_mismatch,        every key of PK / KEK / db is in the state's
//   boot.kek_mismatch,       list (owner and data; PK and KEK X.509 only, db
//   boot.db_mismatch         X.509 or SHA-256); skipped when the list is
//                            empty and has_secureboot is false
//   boot.dbx_mismatch        dbx holds at least every entry of the state's
//   boot.mok_mismatch        MokList / MokListX digests are in mokdig /
//                            mokxdig
//   boot.kernel_not_allowed  PCR 4 applications after the separator are
//                            exactly shim, grub (+ kernel, possibly twice,
//                            with Secure Boot) of one kernels[] entry; and,
//                            without Secure Boot, the one vmlinuz (PCR 9)
//   boot.initrd_mismatch     the one initrd (PCR 9) is that entry's
//   boot.kernel_cmdline_mismatch
//                            the one kernel_cmdline (PCR 8) fully matches
//                            that entry's regex, and its digest covers it
// One kernels[] entry must satisfy the last three together; when each part
// matches some entry but no entry matches all, that is one
// boot.kernel_not_allowed. Decoded data is only trusted when the event's
// digest covers it (variables: H(event data); command line: as GRUB hashes
// it), so these checks stand even without eventlog::CheckEventDigests.
//
// Context keys: "event", "pcr", "variable", "expected", "got" (lower-case
// hex or text), "count". Pure functions; thread-safe.
#ifndef CANDOR_LIB_POLICY_BOOT_EVALUATE_H_
#define CANDOR_LIB_POLICY_BOOT_EVALUATE_H_

#include <vector>

#include "candor/v1/common.pb.h"
#include "lib/eventlog/event_log.h"
#include "lib/policy/boot/boot_events.h"
#include "lib/policy/boot/reference_state.h"

namespace candor::policy {

std::vector<candor::v1::Failure> EvaluateReferenceState(
    const ReferenceState& state, const eventlog::EventLog& log);

namespace boot_internal {

using Failures = std::vector<candor::v1::Failure>;

void CheckScrtm(const ReferenceState& s, const BootEvents& b, Failures* out);
void CheckSecureBoot(const ReferenceState& s, const BootEvents& b,
                     Failures* out);
void CheckKeys(const ReferenceState& s, const BootEvents& b, Failures* out);
void CheckMok(const ReferenceState& s, const BootEvents& b, Failures* out);
void CheckKernels(const ReferenceState& s, const BootEvents& b, Failures* out);

// True when, for some bank both have, the event's digest equals the spec's.
bool DigestMatches(const DigestSpec& spec, const eventlog::Event& event);
// The event's sha256 digest in hex, or its first digest as "bank:hex".
std::string DigestText(const eventlog::Event& event);

}  // namespace boot_internal
}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_BOOT_EVALUATE_H_
