#include "tools/bootlog/boot_events.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/guid.h"
#include "lib/status/status_macros.h"
#include "tools/bootlog/tcg_encode.h"
#include "tools/bootlog/uefi_certs.h"
#include "tools/common/seeded_random.h"

namespace candor::tools {
namespace {

using eventlog::Guid;

constexpr uint32_t kLoadOptionActive = 1;
constexpr uint64_t kEspStart = 2048, kEspSize = 1048576;  // 512 MiB
constexpr uint64_t kDiskLbas = 41943040;                  // 20 GiB

Guid SeededGuid(const std::string& seed, absl::string_view label) {
  return *Guid::Parse(UuidV4FromBytes(SeededBytes(seed, label, 16)));
}

// Appends events; remembers the first error.
class Events {
 public:
  explicit Events(const BootConfig& c) : c_(c) {}

  // Digests H_bank(covered).
  void Hashed(uint32_t pcr, uint32_t type, std::string data,
              absl::string_view covered) {
    Add(pcr, type, std::move(data), HashInBanks(covered, c_.banks));
  }
  // Digests H_bank(data).
  void Hashed(uint32_t pcr, uint32_t type, std::string data) {
    std::string covered = data;
    Hashed(pcr, type, std::move(data), covered);
  }
  // Digests from a spec, or text:"<seed>:<label>" when unset.
  void FromSpec(uint32_t pcr, uint32_t type, std::string data,
                const std::optional<DigestSpec>& spec,
                absl::string_view label) {
    DigestSpec s = spec.has_value()
                       ? *spec
                       : DigestSpec::Text(absl::StrCat(c_.seed, ":", label));
    Add(pcr, type, std::move(data), ResolveDigestSpec(s, c_.banks));
  }
  // A UEFI variable event: H(UEFI_VARIABLE_DATA), or H(VariableData) for
  // EV_EFI_VARIABLE_BOOT.
  void Variable(uint32_t pcr, uint32_t type, const Guid& vendor,
                absl::string_view name, const std::string& value) {
    std::string data = UefiVariableData(vendor, name, value);
    if (type == eventlog::kEvEfiVariableBoot) {
      Hashed(pcr, type, std::move(data), value);
    } else {
      Hashed(pcr, type, std::move(data));
    }
  }
  // An EV_IPL text event (NUL-terminated data).
  void Ipl(uint32_t pcr, absl::string_view text, absl::string_view covered) {
    std::string data(text);
    data.push_back('\0');
    Hashed(pcr, eventlog::kEvIpl, std::move(data), covered);
  }
  // GRUB's PCR 8 text: H(text after the first space), data NUL-terminated.
  void GrubText(absl::string_view text) {
    Ipl(8, text, text.substr(text.find(' ') + 1));
  }

  absl::StatusOr<std::vector<BootEvent>> Finish() && {
    if (!status_.ok()) return status_;
    return std::move(events_);
  }

 private:
  void Add(uint32_t pcr, uint32_t type, std::string data,
           absl::StatusOr<tpm::PcrDigests> digests) {
    if (!digests.ok()) {
      if (status_.ok()) status_ = digests.status();
      return;
    }
    events_.push_back({pcr, type, std::move(data), *std::move(digests)});
  }

  const BootConfig& c_;
  std::vector<BootEvent> events_;
  absl::Status status_;
};

}  // namespace

std::string EffectiveCmdline(const BootConfig& c) {
  if (!c.cmdline.empty()) return c.cmdline;
  return absl::StrCat(
      "root=UUID=", UuidV4FromBytes(SeededBytes(c.seed, "root-fs", 16)),
      " ro quiet");
}

absl::StatusOr<std::vector<BootEvent>> BuildBootEvents(const BootConfig& c) {
  using namespace eventlog;  // NOLINT: event types and GUIDs
  ABSL_ASSIGN_OR_RETURN(UefiCertificates certs, MakeUefiCertificates(c.seed));
  const std::string db_cert = c.db_cert_der.empty() ? certs.db : c.db_cert_der;
  const Guid owner = SeededGuid(c.seed, "signature-owner");
  const Guid esp = SeededGuid(c.seed, "esp-partition");
  const std::string kv = c.kernel_version;
  const std::string cmdline = EffectiveCmdline(c);
  const std::string efi_dir = absl::StrCat("\\EFI\\", c.distro, "\\");
  const std::string disk_path = absl::StrCat(
      DpPciRoot(0), DpPci(1, 1), DpHardDriveGpt(1, kEspStart, kEspSize, esp));
  Events ev(c);

  // Firmware (PCR 0) and Secure Boot configuration (PCR 7).
  ev.Hashed(0, kEvSCrtmVersion, Utf16(c.firmware_version, /*nul=*/true));
  ev.FromSpec(0, kEvEfiPlatformFirmwareBlob, FirmwareBlob(0x820000, 0xE0000),
              c.firmware, "firmware-pei");
  ev.FromSpec(0, kEvEfiPlatformFirmwareBlob, FirmwareBlob(0x900000, 0xC00000),
              std::nullopt, "firmware-dxe");
  ev.Variable(7, kEvEfiVariableDriverConfig, EfiGlobalVariableGuid(),
              "SecureBoot", std::string(1, c.secure_boot ? '\1' : '\0'));
  ev.Variable(7, kEvEfiVariableDriverConfig, EfiGlobalVariableGuid(), "PK",
              SignatureList(EfiCertX509Guid(), {{owner, certs.pk}}));
  ev.Variable(7, kEvEfiVariableDriverConfig, EfiGlobalVariableGuid(), "KEK",
              SignatureList(EfiCertX509Guid(), {{owner, certs.kek}}));
  ev.Variable(7, kEvEfiVariableDriverConfig, EfiImageSecurityDatabaseGuid(),
              "db", SignatureList(EfiCertX509Guid(), {{owner, db_cert}}));
  std::vector<std::pair<Guid, std::string>> revoked;
  for (int i = 0; i < 3; ++i) {
    revoked.emplace_back(owner,
                         SeededBytes(c.seed, absl::StrCat("dbx-", i), 32));
  }
  ev.Variable(7, kEvEfiVariableDriverConfig, EfiImageSecurityDatabaseGuid(),
              "dbx", SignatureList(EfiCertSha256Guid(), revoked));
  ev.Hashed(7, kEvSeparator, std::string(4, '\0'));

  // Boot manager (PCR 1, 4) and the end of the pre-OS phase.
  ev.Variable(1, kEvEfiVariableBoot, EfiGlobalVariableGuid(), "BootOrder",
              absl::StrCat(Le16(1), Le16(0)));
  ev.Variable(
      1, kEvEfiVariableBoot, EfiGlobalVariableGuid(), "Boot0001",
      LoadOption(kLoadOptionActive, c.distro,
                 absl::StrCat(DpHardDriveGpt(1, kEspStart, kEspSize, esp),
                              DpFile(efi_dir + "shimx64.efi"), DpEnd()),
                 ""));
  ev.Variable(1, kEvEfiVariableBoot, EfiGlobalVariableGuid(), "Boot0000",
              LoadOption(kLoadOptionActive, "UEFI Misc Device",
                         absl::StrCat(DpPciRoot(0), DpPci(2, 0), DpEnd()), ""));
  ev.Hashed(4, kEvEfiAction, "Calling EFI Application from Boot Option");
  for (uint32_t pcr = 0; pcr <= 6; ++pcr) {
    ev.Hashed(pcr, kEvSeparator, std::string(4, '\0'));
  }

  // shim, verified by db; its MOK state (PCR 14) and SBAT.
  if (c.secure_boot) {
    ev.Variable(7, kEvEfiVariableAuthority, EfiImageSecurityDatabaseGuid(),
                "db", SignatureData(owner, db_cert));
  }
  ev.Hashed(
      5, kEvEfiGptEvent,
      GptEventData(
          SeededGuid(c.seed, "disk"),
          {{*Guid::Parse("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"), esp,
            kEspStart, kEspStart + kEspSize - 1, 0, "EFI System Partition"},
           {*Guid::Parse("0fc63daf-8483-4772-8e79-3d69d8477de4"),
            SeededGuid(c.seed, "boot-partition"), kEspStart + kEspSize,
            kEspStart + kEspSize + 1953791, 0, "boot"},
           {*Guid::Parse("0fc63daf-8483-4772-8e79-3d69d8477de4"),
            SeededGuid(c.seed, "root-partition"),
            kEspStart + kEspSize + 1953792, kDiskLbas - 34, 0, "root"}},
          kDiskLbas));
  ev.FromSpec(
      4, kEvEfiBootServicesApplication,
      ImageLoadEvent(
          0x7d6e5018, 0x14a5e8, 0,
          absl::StrCat(disk_path, DpFile(efi_dir + "shimx64.efi"), DpEnd())),
      c.shim, "shimx64.efi");
  const std::string mok = SignatureList(
      EfiCertSha256Guid(), {{owner, SeededBytes(c.seed, "MokList", 32)}});
  const std::string mokx = SignatureList(
      EfiCertSha256Guid(), {{owner, SeededBytes(c.seed, "MokListX", 32)}});
  ev.Ipl(14, "MokList", mok);
  ev.Ipl(14, "MokListX", mokx);
  if (c.secure_boot) {
    ev.Variable(7, kEvEfiVariableAuthority, ShimLockGuid(), "SbatLevel",
                "sbat,1,2023012900\nshim,2\ngrub,3\n");
  }
  ev.Ipl(14, "MokListTrusted", std::string(1, '\1'));
  if (c.secure_boot) {
    ev.Variable(7, kEvEfiVariableAuthority, ShimLockGuid(), "Shim",
                certs.shim_vendor);
  }
  ev.FromSpec(
      4, kEvEfiBootServicesApplication,
      ImageLoadEvent(0x7d4c3018, 0x25c000, 0,
                     absl::StrCat(DpFile(efi_dir + "grubx64.efi"), DpEnd())),
      c.grub, "grubx64.efi");

  // GRUB (PCR 8 commands, PCR 9 files) and the kernel.
  const std::string root_fs =
      UuidV4FromBytes(SeededBytes(c.seed, "boot-fs", 16));
  const std::string early_cfg =
      absl::StrCat("search.fs_uuid ", root_fs,
                   " root hd0,gpt2\nset prefix=($root)'/grub'\n"
                   "configfile $prefix/grub.cfg\n");
  ev.Hashed(9, kEvIpl,
            absl::StrCat("(hd0,gpt1)/EFI/", c.distro, "/grub.cfg",
                         std::string(1, '\0')),
            early_cfg);
  ev.GrubText(
      absl::StrCat("grub_cmd: search.fs_uuid ", root_fs, " root hd0,gpt2"));
  ev.GrubText("grub_cmd: set prefix=($root)'/grub'");
  ev.GrubText("grub_cmd: configfile $prefix/grub.cfg");
  const std::string linux_cmd =
      absl::StrCat("/vmlinuz-", kv, cmdline.empty() ? "" : " ", cmdline);
  ev.Hashed(9, kEvIpl,
            absl::StrCat("(hd0,gpt2)/grub/grub.cfg", std::string(1, '\0')),
            absl::StrCat("insmod gzio\ninsmod part_gpt\ninsmod ext2\nlinux ",
                         linux_cmd, "\ninitrd /initrd.img-", kv, "\n"));
  ev.GrubText("grub_cmd: insmod gzio");
  ev.GrubText("grub_cmd: insmod part_gpt");
  ev.GrubText("grub_cmd: insmod ext2");
  ev.GrubText(absl::StrCat("grub_cmd: linux ", linux_cmd));
  ev.FromSpec(9, kEvIpl,
              absl::StrCat("(hd0,gpt2)/vmlinuz-", kv, std::string(1, '\0')),
              c.vmlinuz, "vmlinuz-" + kv);
  ev.GrubText(absl::StrCat("kernel_cmdline: ", linux_cmd));
  ev.GrubText(absl::StrCat("grub_cmd: initrd /initrd.img-", kv));
  ev.FromSpec(9, kEvIpl,
              absl::StrCat("(hd0,gpt2)/initrd.img-", kv, std::string(1, '\0')),
              c.initrd, "initrd.img-" + kv);
  if (c.secure_boot) {
    ev.FromSpec(
        4, kEvEfiBootServicesApplication,
        ImageLoadEvent(0x7b1f2018, 0x7e3c40, 0,
                       absl::StrCat(DpFile("\\vmlinuz-" + kv), DpEnd())),
        c.kernel, "kernel-authenticode-" + kv);
  }
  ev.Hashed(5, kEvEfiAction, "Exit Boot Services Invocation");
  ev.Hashed(5, kEvEfiAction, "Exit Boot Services Returned with Success");
  return std::move(ev).Finish();
}

}  // namespace candor::tools
