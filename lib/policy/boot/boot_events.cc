#include "lib/policy/boot/boot_events.h"

#include "absl/strings/match.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/hashing.h"
#include "lib/eventlog/uefi.h"

namespace candor::policy {
namespace {

using eventlog::Event;

constexpr absl::string_view kCmdlinePrefix = "kernel_cmdline: ";

bool IsVariable(const Event& e, const eventlog::Guid& vendor,
                absl::string_view name) {
  return e.pcr == 7 && e.type == eventlog::kEvEfiVariableDriverConfig &&
         eventlog::VariableNamed(e, vendor, name) != nullptr;
}

}  // namespace

BootEvents FindBootEvents(const eventlog::EventLog& log) {
  BootEvents out;
  const eventlog::Guid global = eventlog::EfiGlobalVariableGuid();
  const eventlog::Guid security = eventlog::EfiImageSecurityDatabaseGuid();
  bool pcr4_separated = false;
  for (const Event& e : log.events()) {
    if (e.number == 0 || e.type == eventlog::kEvNoAction) continue;
    switch (e.pcr) {
      case 0:
        if (e.type == eventlog::kEvSCrtmVersion) out.scrtm.push_back(&e);
        if (e.type == eventlog::kEvEfiPlatformFirmwareBlob ||
            e.type == eventlog::kEvEfiPlatformFirmwareBlob2) {
          out.platform_firmware.push_back(&e);
        }
        break;
      case 4:
        if (e.type == eventlog::kEvSeparator) {
          pcr4_separated = true;
        } else if (pcr4_separated && !(e.type == eventlog::kEvEfiAction &&
                                       DigestsCover(e, e.data))) {
          out.boot_apps.push_back(&e);
        }
        break;
      case 7:
        if (IsVariable(e, global, "SecureBoot")) out.secure_boot.push_back(&e);
        if (IsVariable(e, global, "PK")) out.pk.push_back(&e);
        if (IsVariable(e, global, "KEK")) out.kek.push_back(&e);
        if (IsVariable(e, security, "db")) out.db.push_back(&e);
        if (IsVariable(e, security, "dbx")) out.dbx.push_back(&e);
        break;
      case 8:
        if (e.type == eventlog::kEvIpl &&
            absl::StartsWith(e.data, kCmdlinePrefix)) {
          out.cmdlines.push_back(&e);
        }
        break;
      case 9:
        if (e.type == eventlog::kEvIpl) {
          std::string path = eventlog::EventText(e);
          if (absl::StrContains(path, "/loader/entries") ||
              absl::StrContains(path, "/grub")) {
            break;
          }
          if (absl::StrContains(path, "/vmlinuz")) {
            out.vmlinuz.push_back(&e);
          } else if (absl::StrContains(path, "/initrd") ||
                     absl::StrContains(path, "/initramfs")) {
            out.initrd.push_back(&e);
          }
        }
        break;
      case 14:
        if (e.type == eventlog::kEvIpl) {
          std::string name = eventlog::EventText(e);
          if (name == "MokList") out.mok.push_back(&e);
          if (name == "MokListX") out.mokx.push_back(&e);
        }
        break;
    }
  }
  return out;
}

std::string CmdlineOf(const Event& event) {
  absl::string_view text = event.data;
  text.remove_prefix(std::min(text.size(), kCmdlinePrefix.size()));
  while (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return std::string(text);
}

bool DigestsCover(const Event& event, absl::string_view covered,
                  bool or_with_nul) {
  bool checked = false;
  for (const eventlog::EventDigest& d : event.digests) {
    std::string h;
    if (!eventlog::HashForBank(d.bank, covered, &h)) continue;
    checked = true;
    if (h == d.value) continue;
    if (!or_with_nul) return false;
    std::string with_nul(covered);
    with_nul.push_back('\0');
    if (!eventlog::HashForBank(d.bank, with_nul, &h) || h != d.value) {
      return false;
    }
  }
  return checked;
}

bool CmdlineDigestOk(const Event& event) {
  // GRUB hashes the text after "kernel_cmdline: " (tpm2_eventlog: after the
  // first space), with or without the NUL it logs.
  absl::string_view data = event.data;
  size_t space = data.find(' ');
  if (space == absl::string_view::npos) return false;
  absl::string_view text = data.substr(space + 1);
  if (!text.empty() && text.back() == '\0') text.remove_suffix(1);
  return DigestsCover(event, text, /*or_with_nul=*/true);
}

}  // namespace candor::policy
