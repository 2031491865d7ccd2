// File: tools/bootlog/boot_config.h
//
// What the boot-log generator varies: the things an operator changes between
// a good boot and a tampered one (Secure Boot, the kernel command line, the
// firmware, shim, GRUB, kernel and initrd digests, the db certificate), the
// PCR banks, and the seed everything else is derived from. Every field has a
// default, so BootConfig{} with banks set describes a complete Debian-like
// shim -> GRUB -> Linux boot. Plain value type.
#ifndef CANDOR_TOOLS_BOOTLOG_BOOT_CONFIG_H_
#define CANDOR_TOOLS_BOOTLOG_BOOT_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "lib/tpm/pcr_values.h"
#include "tools/common/digest_spec.h"

namespace candor::tools {

struct BootConfig {
  // Seed of every value not given below (GUIDs, certificates' serials, dbx,
  // MokList, default component digests). The same config gives the same
  // bytes.
  std::string seed = "candor";
  // Banks of the SpecID event and of every event, ascending TPM_ALG_ID
  // (the generator sorts them).
  std::vector<TPM2_ALG_ID> banks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};
  bool secure_boot = true;
  std::string firmware_version = "edk2-stable202302 (Candor emulated)";
  std::string distro = "debian";  // \EFI\<distro>\shimx64.efi
  std::string kernel_version = "6.1.0-18-amd64";
  // Kernel arguments after the image path; empty: "root=UUID=<seeded> ro
  // quiet".
  std::string cmdline;
  // Component digests; unset: text:"<seed>:<component>[-<kernel_version>]".
  std::optional<DigestSpec> firmware;  // PCR 0 firmware volume
  std::optional<DigestSpec> shim;      // PCR 4 Authenticode
  std::optional<DigestSpec> grub;      // PCR 4 Authenticode
  std::optional<DigestSpec> kernel;    // PCR 4 Authenticode (Secure Boot)
  std::optional<DigestSpec> vmlinuz;   // PCR 9 file hash
  std::optional<DigestSpec> initrd;    // PCR 9 file hash
  // DER certificate for db (and the authority that verified shim); empty:
  // the generated one (uefi_certs.h).
  std::string db_cert_der;
};

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_BOOT_CONFIG_H_
