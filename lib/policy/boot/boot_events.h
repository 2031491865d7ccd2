// File: lib/policy/boot/boot_events.h
//
// The events of a parsed UEFI event log that the measured-boot reference
// state speaks about, picked out once for evaluation (boot_policy.h) and
// creation (create.h), so both read a log the same way:
//
//   scrtm              PCR 0  EV_S_CRTM_VERSION
//   platform_firmware  PCR 0  EV_EFI_PLATFORM_FIRMWARE_BLOB / _BLOB2
//   secure_boot        PCR 7  EV_EFI_VARIABLE_DRIVER_CONFIG, EFI global
//                             variable "SecureBoot"
//   pk, kek / db, dbx  PCR 7  EV_EFI_VARIABLE_DRIVER_CONFIG, EFI global
//                             variables "PK", "KEK" / image security
//                             database "db", "dbx"
//   mok, mokx          PCR 14 EV_IPL "MokList" / "MokListX" (shim)
//   boot_apps          PCR 4  every event after PCR 4's first EV_SEPARATOR
//                             except EV_NO_ACTION, EV_SEPARATOR and
//                             EV_EFI_ACTION events whose digest is the hash
//                             of their text: shim, GRUB, the kernel. Event
//                             types are not measured, so a retyped image
//                             still counts; images run before the separator
//                             (firmware applications such as a boot menu)
//                             do not.
//   vmlinuz, initrd    PCR 9  EV_IPL file paths (GRUB), classified as
//                             Keylime does: paths containing "/loader/
//                             entries" or "/grub" are neither; then
//                             "/vmlinuz" -> vmlinuz; "/initrd" or
//                             "/initramfs" -> initrd
//   cmdlines           PCR 8  EV_IPL "kernel_cmdline: ..." (GRUB)
//
// Pointers refer into the EventLog, which must outlive the BootEvents.
// Pure; thread-safe.
#ifndef CANDOR_LIB_POLICY_BOOT_BOOT_EVENTS_H_
#define CANDOR_LIB_POLICY_BOOT_BOOT_EVENTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/eventlog/event_log.h"

namespace candor::policy {

struct BootEvents {
  std::vector<const eventlog::Event*> scrtm;
  std::vector<const eventlog::Event*> platform_firmware;
  std::vector<const eventlog::Event*> secure_boot;
  std::vector<const eventlog::Event*> pk, kek, db, dbx;
  std::vector<const eventlog::Event*> mok, mokx;
  std::vector<const eventlog::Event*> boot_apps;
  std::vector<const eventlog::Event*> vmlinuz, initrd;
  std::vector<const eventlog::Event*> cmdlines;
};

BootEvents FindBootEvents(const eventlog::EventLog& log);

// The command line of a "kernel_cmdline: ..." event (the text after the
// prefix, trailing NULs removed).
std::string CmdlineOf(const eventlog::Event& event);

// True when each of the event's digests (in the banks OpenSSL can hash, of
// which there must be at least one) is the hash of `covered`, or of
// `covered` followed by one NUL when `or_with_nul` is set.
bool DigestsCover(const eventlog::Event& event, absl::string_view covered,
                  bool or_with_nul = false);

// True when the kernel_cmdline event's digests cover its command line, as
// GRUB measures it (the text after the first space, with or without the
// terminating NUL).
bool CmdlineDigestOk(const eventlog::Event& event);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_BOOT_BOOT_EVENTS_H_
