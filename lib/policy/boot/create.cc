#include "lib/policy/boot/create.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/eventlog/uefi.h"
#include "lib/policy/boot/boot_events.h"
#include "re2/re2.h"

namespace candor::policy {
namespace {

using eventlog::Event;

absl::Status Cannot(absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("cannot make a reference state from this log: ", why));
}

// The event's sha256 digest, else its first.
DigestSpec PreferredDigest(const Event& e) {
  if (const std::string* d = e.DigestFor(TPM2_ALG_SHA256)) {
    return {{TPM2_ALG_SHA256, *d}};
  }
  if (e.digests.empty()) return {};
  return {{e.digests[0].bank, e.digests[0].value}};
}

absl::StatusOr<std::string> Sha256(const Event& e, absl::string_view what) {
  const std::string* d = e.DigestFor(TPM2_ALG_SHA256);
  if (d == nullptr) {
    return Cannot(
        absl::StrCat(what, " (event ", e.number, ") has no sha256 digest"));
  }
  return *d;
}

absl::StatusOr<std::vector<SignatureSpec>> Keys(
    const std::vector<const Event*>& events, absl::string_view name,
    const std::vector<eventlog::Guid>& types) {
  std::vector<SignatureSpec> out;
  std::set<std::pair<eventlog::Guid, std::string>> seen;
  for (const Event* e : events) {
    if (!DigestsCover(*e, e->data)) {
      return Cannot(absl::StrCat(name, " (event ", e->number,
                                 "): its digest does not cover its data"));
    }
    auto lists = eventlog::ParseSignatureLists(e->variable->data);
    if (!lists.ok()) {
      return Cannot(absl::StrCat(name, " (event ", e->number,
                                 "): ", lists.status().message()));
    }
    for (const eventlog::SignatureList& list : *lists) {
      bool type_ok = types.empty();
      for (const eventlog::Guid& t : types) type_ok = type_ok || list.type == t;
      if (!type_ok) {
        return Cannot(absl::StrCat(
            name, " (event ", e->number, ") holds signatures of type ",
            list.type.ToString(), ", which a reference state cannot allow"));
      }
      for (const eventlog::SignatureData& sig : list.signatures) {
        if (seen.insert({sig.owner, sig.data}).second) {
          out.push_back({sig.owner, sig.data});
        }
      }
    }
  }
  return out;
}

std::vector<DigestSpec> Digests(const std::vector<const Event*>& events) {
  std::vector<DigestSpec> out;
  for (const Event* e : events) {
    DigestSpec d = PreferredDigest(*e);
    bool dup = false;
    for (const DigestSpec& o : out) dup = dup || o == d;
    if (!dup) out.push_back(std::move(d));
  }
  return out;
}

// `text` as an RE2 regex matching exactly it. Only metacharacters and
// control characters are escaped (as Python's re.escape does since 3.7), so
// operators can read and edit the result; RE2::QuoteMeta escapes every
// non-word character.
std::string EscapeRegex(absl::string_view text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::string_view(".^$|?*+()[]{}\\").find(c) !=
        absl::string_view::npos) {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", u));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<KernelSpec> Kernel(const BootEvents& b, bool secureboot) {
  KernelSpec k;
  size_t apps = b.boot_apps.size();
  bool twice = apps == 4 && secureboot &&
               b.boot_apps[2]->DigestFor(TPM2_ALG_SHA256) != nullptr &&
               b.boot_apps[3]->DigestFor(TPM2_ALG_SHA256) != nullptr &&
               *b.boot_apps[2]->DigestFor(TPM2_ALG_SHA256) ==
                   *b.boot_apps[3]->DigestFor(TPM2_ALG_SHA256);
  if (secureboot ? !(apps == 3 || twice) : apps != 2) {
    return Cannot(
        absl::StrCat("found ", apps,
                     " boot applications on PCR 4 after the separator, "
                     "expected shim and grub",
                     secureboot ? " and the kernel" : ""));
  }
  absl::StatusOr<std::string> d = Sha256(*b.boot_apps[0], "shim");
  if (!d.ok()) return d.status();
  k.shim_authcode_sha256 = *d;
  if (!(d = Sha256(*b.boot_apps[1], "grub")).ok()) return d.status();
  k.grub_authcode_sha256 = *d;
  if (secureboot) {
    if (!(d = Sha256(*b.boot_apps[2], "kernel")).ok()) return d.status();
    k.kernel_authcode_sha256 = *d;
  } else {
    if (b.vmlinuz.size() != 1) {
      return Cannot(absl::StrCat("found ", b.vmlinuz.size(),
                                 " vmlinuz measurements on PCR 9, expected 1"));
    }
    if (!(d = Sha256(*b.vmlinuz[0], "vmlinuz")).ok()) return d.status();
    k.vmlinuz_plain_sha256 = *d;
  }
  if (b.initrd.size() != 1) {
    return Cannot(absl::StrCat("found ", b.initrd.size(),
                               " initrd measurements on PCR 9, expected 1"));
  }
  if (!(d = Sha256(*b.initrd[0], "initrd")).ok()) return d.status();
  k.initrd_plain_sha256 = *d;
  if (b.cmdlines.size() != 1) {
    return Cannot(absl::StrCat("found ", b.cmdlines.size(),
                               " kernel_cmdline events on PCR 8, expected 1"));
  }
  if (!CmdlineDigestOk(*b.cmdlines[0])) {
    return Cannot(absl::StrCat("kernel_cmdline event ", b.cmdlines[0]->number,
                               ": its digest does not cover its text"));
  }
  std::string cmdline = CmdlineOf(*b.cmdlines[0]);
  k.kernel_cmdline = EscapeRegex(cmdline);
  auto re = CompileCmdline(k.kernel_cmdline, 0);
  if (!re.ok() || !RE2::FullMatch(cmdline, **re)) {
    return Cannot(absl::StrCat("kernel_cmdline event ", b.cmdlines[0]->number,
                               ": the command line is not UTF-8 text an RE2 "
                               "regex can match"));
  }
  k.kernel_cmdline_re = *std::move(re);
  return k;
}

}  // namespace

absl::StatusOr<ReferenceState> CreateReferenceState(
    const eventlog::EventLog& log, const ReferenceStateOptions& options) {
  BootEvents b = FindBootEvents(log);
  ReferenceState rs;
  if (b.secure_boot.empty()) {
    return Cannot("no SecureBoot variable on PCR 7: Secure Boot state unknown");
  }
  rs.has_secureboot = true;
  const Event* off = nullptr;
  for (const Event* e : b.secure_boot) {
    if (!DigestsCover(*e, e->data)) {
      return Cannot(absl::StrCat("SecureBoot variable (event ", e->number,
                                 "): its digest does not cover its data"));
    }
    if (e->variable->data != std::string(1, '\1') && off == nullptr) off = e;
  }
  if (off != nullptr) {
    rs.has_secureboot = false;
    if (!options.allow_without_secureboot) {
      return Cannot(absl::StrCat(
          "Secure Boot is off (SecureBoot variable, event ", off->number,
          "); a state that does not require Secure Boot must be asked for"));
    }
  }
  if (b.scrtm.size() > 1) {
    return Cannot(absl::StrCat("found ", b.scrtm.size(),
                               " EV_S_CRTM_VERSION events, expected 1"));
  }
  ScrtmAndBios bios;
  if (!b.scrtm.empty()) bios.scrtm = PreferredDigest(*b.scrtm[0]);
  for (const Event* e : b.platform_firmware) {
    bios.platform_firmware.push_back(PreferredDigest(*e));
  }
  rs.scrtm_and_bios.push_back(std::move(bios));
  std::pair<const std::vector<const Event*>*, std::vector<SignatureSpec>*>
      keys[] = {{&b.pk, &rs.pk},
                {&b.kek, &rs.kek},
                {&b.db, &rs.db},
                {&b.dbx, &rs.dbx}};
  const char* names[] = {"PK", "KEK", "db", "dbx"};
  const eventlog::Guid x509 = eventlog::EfiCertX509Guid();
  const std::vector<eventlog::Guid> types[] = {
      {x509}, {x509}, {x509, eventlog::EfiCertSha256Guid()}, {}};
  for (size_t i = 0; i < 4; ++i) {
    auto k = Keys(*keys[i].first, names[i], types[i]);
    if (!k.ok()) return k.status();
    *keys[i].second = *std::move(k);
  }
  rs.mokdig = Digests(b.mok);
  rs.mokxdig = Digests(b.mokx);
  absl::StatusOr<KernelSpec> kernel = Kernel(b, rs.has_secureboot);
  if (!kernel.ok()) return kernel.status();
  rs.kernels.push_back(*std::move(kernel));
  return rs;
}

}  // namespace candor::policy
