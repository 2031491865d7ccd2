#include "tools/ima/synthetic_files.h"

#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "tools/common/seeded_random.h"
#include "tools/ima/ima_record.h"

namespace candor::tools {
namespace {

// Roughly the order a Debian 12 server measures files in at boot.
constexpr const char* kBootFiles[] = {
    "/usr/lib/systemd/systemd",
    "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/usr/lib/systemd/libsystemd-shared-252.so",
    "/usr/lib/x86_64-linux-gnu/libselinux.so.1",
    "/usr/lib/x86_64-linux-gnu/libmount.so.1",
    "/usr/lib/x86_64-linux-gnu/libseccomp.so.2",
    "/usr/lib/x86_64-linux-gnu/libcap.so.2",
    "/usr/lib/x86_64-linux-gnu/libcrypt.so.1",
    "/usr/lib/x86_64-linux-gnu/libpam.so.0",
    "/usr/lib/x86_64-linux-gnu/libaudit.so.1",
    "/usr/lib/x86_64-linux-gnu/libkmod.so.2",
    "/usr/lib/x86_64-linux-gnu/libblkid.so.1",
    "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0",
    "/usr/lib/x86_64-linux-gnu/libgcrypt.so.20",
    "/usr/lib/x86_64-linux-gnu/libzstd.so.1",
    "/usr/lib/x86_64-linux-gnu/liblzma.so.5",
    "/usr/lib/x86_64-linux-gnu/liblz4.so.1",
    "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
    "/usr/lib/x86_64-linux-gnu/libgpg-error.so.0",
    "/usr/lib/x86_64-linux-gnu/libm.so.6",
    "/usr/lib/x86_64-linux-gnu/libz.so.1",
    "/usr/lib/systemd/systemd-journald",
    "/usr/lib/systemd/systemd-udevd",
    "/usr/bin/udevadm",
    "/usr/bin/kmod",
    "/usr/lib/systemd/systemd-fsck",
    "/usr/sbin/fsck.ext4",
    "/usr/lib/systemd/systemd-remount-fs",
    "/usr/lib/systemd/systemd-sysctl",
    "/usr/lib/systemd/systemd-random-seed",
    "/usr/lib/systemd/systemd-tmpfiles",
    "/usr/lib/systemd/systemd-timesyncd",
    "/usr/lib/systemd/systemd-logind",
    "/usr/lib/systemd/systemd-networkd",
    "/usr/lib/systemd/systemd-resolved",
    "/usr/bin/dbus-daemon",
    "/usr/lib/x86_64-linux-gnu/libdbus-1.so.3",
    "/usr/lib/x86_64-linux-gnu/libexpat.so.1",
    "/usr/sbin/cron",
    "/usr/sbin/rsyslogd",
    "/usr/lib/x86_64-linux-gnu/rsyslog/imuxsock.so",
    "/usr/sbin/sshd",
    "/usr/lib/x86_64-linux-gnu/libssl.so.3",
    "/usr/lib/x86_64-linux-gnu/libwrap.so.0",
    "/usr/lib/x86_64-linux-gnu/libgssapi_krb5.so.2",
    "/usr/sbin/agetty",
    "/usr/bin/login",
    "/usr/lib/x86_64-linux-gnu/security/pam_unix.so",
    "/usr/lib/x86_64-linux-gnu/security/pam_systemd.so",
    "/usr/bin/bash",
    "/usr/lib/x86_64-linux-gnu/libtinfo.so.6",
    "/usr/bin/ls",
    "/usr/bin/cat",
    "/usr/bin/grep",
    "/usr/bin/sed",
    "/usr/bin/mawk",
    "/usr/bin/ps",
    "/usr/lib/x86_64-linux-gnu/libprocps.so.8",
    "/usr/bin/mount",
    "/usr/bin/sudo",
    "/usr/libexec/sudo/libsudo_util.so.0",
    "/usr/bin/python3.11",
    "/usr/bin/ip",
    "/usr/sbin/iptables",
};
constexpr uint64_t kNumBootFiles = sizeof(kBootFiles) / sizeof(kBootFiles[0]);

struct GeneratedDir {
  const char* dir;
  const char* prefix;
  const char* suffix;
};
constexpr GeneratedDir kDirs[] = {
    {"/usr/bin", "tool", ""},
    {"/usr/lib/x86_64-linux-gnu", "libsynth", ".so.1"},
    {"/usr/sbin", "svc", "d"},
    {"/usr/libexec/candor-demo", "helper", ""},
    {"/usr/lib/x86_64-linux-gnu", "libplugin", ".so"},
    {"/usr/local/bin", "job", ".sh"},
    {"/opt/app/bin", "worker", ""},
    {"/usr/lib/python3/dist-packages/app", "mod", ".py"},
};
constexpr uint64_t kNumDirs = sizeof(kDirs) / sizeof(kDirs[0]);

}  // namespace

std::string SyntheticPath(uint64_t index) {
  if (index < kNumBootFiles) return kBootFiles[index];
  const uint64_t n = index - kNumBootFiles;
  const GeneratedDir& d = kDirs[n % kNumDirs];
  return absl::StrCat(d.dir, "/", d.prefix, "-", n / kNumDirs, d.suffix);
}

absl::StatusOr<std::string> SyntheticDigest(const std::string& path,
                                            const SyntheticOptions& options) {
  return ImaHash(options.algo,
                 absl::StrCat("candor-ima-emulator:", options.seed, ":", path));
}

absl::StatusOr<std::vector<SyntheticFile>> SyntheticFiles(
    uint64_t first, uint64_t count, const SyntheticOptions& options) {
  const size_t size = ima::HashAlgoSize(options.algo);
  if (size == 0) {
    return absl::InvalidArgumentError("synthetic files: unknown algorithm");
  }
  std::vector<SyntheticFile> out;
  out.reserve(count);
  for (uint64_t i = first; i < first + count; ++i) {
    SyntheticFile f;
    f.path = SyntheticPath(i);
    if (options.random_digests) {
      ABSL_ASSIGN_OR_RETURN(f.digest, RandomBytes(size));
    } else {
      ABSL_ASSIGN_OR_RETURN(f.digest, SyntheticDigest(f.path, options));
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace candor::tools
