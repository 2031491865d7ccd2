// File: tools/bootlog/boot_flags.h
//
// The command-line options of a generated boot, shared by bootlog_gen and
// reboot_sim (CLI11), and their translation into a BootConfig. Digest
// options take the forms of tools/common/digest_spec.h (sha256:HEX[,...],
// file:PATH, text:LABEL). Not thread-safe (CLI parsing).
#ifndef CANDOR_TOOLS_BOOTLOG_BOOT_FLAGS_H_
#define CANDOR_TOOLS_BOOTLOG_BOOT_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "tools/bootlog/boot_config.h"

namespace candor::tools {

struct BootFlags {
  std::string seed = "candor";
  int secureboot = 1;
  std::string cmdline;
  std::string kernel_version = BootConfig().kernel_version;
  std::string distro = BootConfig().distro;
  std::string firmware_version = BootConfig().firmware_version;
  std::string firmware_digest, shim_digest, grub_digest, kernel_digest,
      vmlinuz_digest, initrd_digest;
  std::string db_cert;  // PEM or DER file
};

// Adds --seed, --secureboot, --cmdline, --kernel_version, --distro,
// --firmware_version, --firmware_digest, --shim_digest, --grub_digest,
// --kernel_digest, --vmlinuz_digest, --initrd_digest, --db_cert to `app`.
void AddBootFlags(CLI::App* app, BootFlags* flags);

// INVALID_ARGUMENT naming the option for a malformed digest or certificate
// (an unreadable --db_cert is NOT_FOUND). Banks keep BootConfig's default;
// callers set them.
absl::StatusOr<BootConfig> MakeBootConfig(const BootFlags& flags);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_BOOT_FLAGS_H_
