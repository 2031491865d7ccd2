// File: tools/bootlog/boot_events.h
//
// The events of an emulated UEFI boot (OVMF/edk2 firmware, shim, GRUB 2,
// Linux), in log order, with one digest per bank as real components compute
// them (the conventions tpm2_eventlog and lib/eventlog check, notes/tpm.md
// §5):
//   PCR 0  EV_S_CRTM_VERSION (UTF-16 version)          H(data)
//          EV_EFI_PLATFORM_FIRMWARE_BLOB x2             firmware volume digests
//   PCR 7  EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot, PK, KEK, db, dbx
//          (UEFI_VARIABLE_DATA; X.509 / SHA-256 signature lists)
//                                                       H(data)
//          EV_SEPARATOR
//   PCR 1  EV_EFI_VARIABLE_BOOT BootOrder, Boot0001, Boot0000
//                                                       H(VariableData)
//   PCR 4  EV_EFI_ACTION "Calling EFI Application from Boot Option"  H(data)
//   PCR 0-6 EV_SEPARATOR (00000000)                     H(data)
//   PCR 7  EV_EFI_VARIABLE_AUTHORITY db (the cert that verified shim)*
//   PCR 5  EV_EFI_GPT_EVENT                             H(data)
//   PCR 4  EV_EFI_BOOT_SERVICES_APPLICATION shim         Authenticode
//   PCR 14 EV_IPL "MokList", "MokListX"                  H(variable)
//   PCR 7  EV_EFI_VARIABLE_AUTHORITY SbatLevel*           H(data)
//   PCR 14 EV_IPL "MokListTrusted"
//   PCR 7  EV_EFI_VARIABLE_AUTHORITY Shim (vendor cert)*  H(data)
//   PCR 4  EV_EFI_BOOT_SERVICES_APPLICATION grub          Authenticode
//   PCR 8/9 GRUB: grub.cfg files (PCR 9, H(file)), "grub_cmd: ..." and
//          "kernel_cmdline: ..." (PCR 8, H(text after the first space)),
//          vmlinuz and initrd (PCR 9, H(file))
//   PCR 4  EV_EFI_BOOT_SERVICES_APPLICATION kernel*       Authenticode
//   PCR 5  EV_EFI_ACTION "Exit Boot Services Invocation", "... Returned
//          with Success"                                  H(data)
// (* only with Secure Boot on, as firmware and shim verify nothing without
// it.) This is the shape lib/policy/boot's CreateReferenceState accepts.
//
// Errors: from resolving digest specs (an unreadable file:) and building
// certificates. Pure otherwise; thread-safe.
#ifndef CANDOR_TOOLS_BOOTLOG_BOOT_EVENTS_H_
#define CANDOR_TOOLS_BOOTLOG_BOOT_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/tpm/pcr_values.h"
#include "tools/bootlog/boot_config.h"

namespace candor::tools {

struct BootEvent {
  uint32_t pcr = 0;
  uint32_t type = 0;
  std::string data;
  tpm::PcrDigests digests;  // one per bank
};

absl::StatusOr<std::vector<BootEvent>> BuildBootEvents(const BootConfig& c);

// The kernel command line the config gives (the default derived from the
// seed when c.cmdline is empty).
std::string EffectiveCmdline(const BootConfig& c);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_BOOT_EVENTS_H_
