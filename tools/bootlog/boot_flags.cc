#include "tools/bootlog/boot_flags.h"

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/crypto/x509.h"
#include "lib/status/status_macros.h"

namespace candor::tools {
namespace {

constexpr char kDigestHelp[] =
    " (sha256:HEX[,sha1:HEX...], file:PATH or text:LABEL; default derived "
    "from --seed)";

absl::Status SetSpec(const std::string& flag, const std::string& text,
                     std::optional<DigestSpec>* out) {
  if (text.empty()) return absl::OkStatus();
  ABSL_ASSIGN_OR_RETURN(*out, ParseDigestSpec(text), _ << "--" << flag);
  return absl::OkStatus();
}

}  // namespace

void AddBootFlags(CLI::App* app, BootFlags* f) {
  app->add_option("--seed", f->seed,
                  "Seed of everything not set below (same seed, same log)")
      ->capture_default_str();
  app->add_option("--secureboot", f->secureboot,
                  "SecureBoot variable: 1 (on; authorities and the kernel "
                  "image are measured) or 0")
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  app->add_option("--cmdline", f->cmdline,
                  "Kernel arguments measured by GRUB (default root=UUID=<from "
                  "seed> ro quiet)");
  app->add_option("--kernel_version", f->kernel_version,
                  "Names /vmlinuz-V and /initrd.img-V")
      ->capture_default_str();
  app->add_option("--distro", f->distro, "EFI directory: \\EFI\\<distro>\\")
      ->capture_default_str();
  app->add_option("--firmware_version", f->firmware_version,
                  "EV_S_CRTM_VERSION text")
      ->capture_default_str();
  app->add_option("--firmware_digest", f->firmware_digest,
                  absl::StrCat("PCR 0 firmware volume", kDigestHelp));
  app->add_option(
      "--shim_digest", f->shim_digest,
      absl::StrCat("shim's Authenticode hash (PCR 4)", kDigestHelp));
  app->add_option(
      "--grub_digest", f->grub_digest,
      absl::StrCat("GRUB's Authenticode hash (PCR 4)", kDigestHelp));
  app->add_option("--kernel_digest", f->kernel_digest,
                  absl::StrCat("the kernel's Authenticode hash (PCR 4, Secure "
                               "Boot only)",
                               kDigestHelp));
  app->add_option("--vmlinuz_digest", f->vmlinuz_digest,
                  absl::StrCat("vmlinuz file hash (PCR 9)", kDigestHelp));
  app->add_option("--initrd_digest", f->initrd_digest,
                  absl::StrCat("initrd file hash (PCR 9)", kDigestHelp));
  app->add_option("--db_cert", f->db_cert,
                  "Certificate (PEM or DER) to put in db instead of the "
                  "generated one");
}

absl::StatusOr<BootConfig> MakeBootConfig(const BootFlags& f) {
  BootConfig c;
  c.seed = f.seed;
  c.secure_boot = f.secureboot != 0;
  c.cmdline = f.cmdline;
  c.kernel_version = f.kernel_version;
  c.distro = f.distro;
  c.firmware_version = f.firmware_version;
  ABSL_RETURN_IF_ERROR(
      SetSpec("firmware_digest", f.firmware_digest, &c.firmware));
  ABSL_RETURN_IF_ERROR(SetSpec("shim_digest", f.shim_digest, &c.shim));
  ABSL_RETURN_IF_ERROR(SetSpec("grub_digest", f.grub_digest, &c.grub));
  ABSL_RETURN_IF_ERROR(SetSpec("kernel_digest", f.kernel_digest, &c.kernel));
  ABSL_RETURN_IF_ERROR(SetSpec("vmlinuz_digest", f.vmlinuz_digest, &c.vmlinuz));
  ABSL_RETURN_IF_ERROR(SetSpec("initrd_digest", f.initrd_digest, &c.initrd));
  if (c.kernel_version.empty() || c.distro.empty()) {
    return absl::InvalidArgumentError(
        "--kernel_version and --distro must not be empty");
  }
  if (!f.db_cert.empty()) {
    ABSL_ASSIGN_OR_RETURN(std::string text, ReadFile(f.db_cert),
                          _ << "--db_cert");
    ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<X509> cert,
                          crypto::ParseCertificate(text),
                          _ << "--db_cert " << f.db_cert);
    ABSL_ASSIGN_OR_RETURN(c.db_cert_der, crypto::CertificateToDer(cert.get()));
  }
  return c;
}

}  // namespace candor::tools
