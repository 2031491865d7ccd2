// Boot chain: PCR 4 applications (shim, GRUB, kernel), PCR 9 vmlinuz and
// initrd, PCR 8 kernel command line; one kernels[] entry must match them all.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/failure/catalogue.h"
#include "lib/policy/boot/evaluate.h"

namespace candor::policy::boot_internal {
namespace {

using eventlog::Event;

std::vector<std::string> Sha256s(const std::vector<const Event*>& events) {
  std::vector<std::string> out;
  for (const Event* e : events) {
    const std::string* d = e->DigestFor(TPM2_ALG_SHA256);
    out.push_back(d != nullptr ? *d : std::string());
  }
  return out;
}

std::string HexList(const std::vector<std::string>& raw) {
  std::vector<std::string> hex;
  for (const std::string& r : raw) {
    hex.push_back(r.empty() ? "(no sha256)" : absl::BytesToHexString(r));
  }
  return hex.empty() ? "none" : absl::StrJoin(hex, ", ");
}

bool AppsMatch(const KernelSpec& k, bool secureboot,
               const std::vector<std::string>& apps) {
  if (!secureboot) {
    return apps == std::vector<std::string>{k.shim_authcode_sha256,
                                            k.grub_authcode_sha256};
  }
  std::vector<std::string> want = {
      k.shim_authcode_sha256, k.grub_authcode_sha256, k.kernel_authcode_sha256};
  if (apps == want) return true;
  want.push_back(k.kernel_authcode_sha256);  // some boots measure it twice
  return apps == want;
}

}  // namespace

void CheckKernels(const ReferenceState& s, const BootEvents& b, Failures* out) {
  const std::vector<std::string> apps = Sha256s(b.boot_apps);
  const std::vector<std::string> vmlinuz = Sha256s(b.vmlinuz);
  const std::vector<std::string> initrd = Sha256s(b.initrd);
  std::string cmdline;
  bool cmdline_trusted = false;
  if (b.cmdlines.size() == 1) {
    cmdline = CmdlineOf(*b.cmdlines[0]);
    cmdline_trusted = CmdlineDigestOk(*b.cmdlines[0]);
  }
  bool any_apps = false, any_initrd = false, any_cmdline = false;
  for (const KernelSpec& k : s.kernels) {
    bool apps_ok = AppsMatch(k, s.has_secureboot, apps) &&
                   (s.has_secureboot || vmlinuz == std::vector<std::string>{
                                                       k.vmlinuz_plain_sha256});
    bool initrd_ok = initrd == std::vector<std::string>{k.initrd_plain_sha256};
    bool cmdline_ok =
        cmdline_trusted && RE2::FullMatch(cmdline, *k.kernel_cmdline_re);
    if (apps_ok && initrd_ok && cmdline_ok) return;
    any_apps |= apps_ok;
    any_initrd |= initrd_ok;
    any_cmdline |= cmdline_ok;
  }
  size_t n = s.kernels.size();
  std::string entries =
      n == 1 ? "the policy's kernels[0]"
             : absl::StrCat("any of the policy's ", n, " kernels[] entries");
  if (!any_apps) {
    std::string what = absl::StrCat(
        "PCR 4 boot applications after the separator (", HexList(apps), ")");
    if (!s.has_secureboot) {
      absl::StrAppend(&what, " and PCR 9 vmlinuz (", HexList(vmlinuz), ")");
    }
    out->push_back(
        failure::MakeFailure(failure::kBootKernelNotAllowed,
                             absl::StrCat(what, " do not match ", entries),
                             {{"pcr", "4"},
                              {"count", absl::StrCat(apps.size())},
                              {"got", HexList(apps)}}));
  }
  if (!any_initrd) {
    out->push_back(failure::MakeFailure(
        failure::kBootInitrdMismatch,
        absl::StrCat("initrd (PCR 9: ", b.initrd.size(), " events, ",
                     HexList(initrd), ") does not match ", entries),
        {{"pcr", "9"},
         {"count", absl::StrCat(b.initrd.size())},
         {"got", HexList(initrd)}}));
  }
  if (!any_cmdline) {
    std::string why =
        b.cmdlines.size() != 1
            ? absl::StrCat("the log has ", b.cmdlines.size(),
                           " kernel_cmdline events (PCR 8), expected 1")
        : !cmdline_trusted
            ? absl::StrCat("kernel_cmdline event ", b.cmdlines[0]->number,
                           ": its digest is not the hash of the command line "
                           "it shows")
            : absl::StrCat("kernel command line '", cmdline,
                           "' does not match ", entries);
    out->push_back(failure::MakeFailure(
        failure::kBootKernelCmdlineMismatch, why,
        {{"pcr", "8"},
         {"event",
          b.cmdlines.empty() ? "" : absl::StrCat(b.cmdlines[0]->number)},
         {"got", cmdline}}));
  }
  if (any_apps && any_initrd && any_cmdline) {
    out->push_back(failure::MakeFailure(
        failure::kBootKernelNotAllowed,
        absl::StrCat("boot applications, initrd and kernel command line each "
                     "match some kernels[] entry, but no single entry matches "
                     "all of them"),
        {{"pcr", "4"}}));
  }
}

}  // namespace candor::policy::boot_internal
