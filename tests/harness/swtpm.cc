#include "tests/harness/swtpm.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/harness/resources.h"

namespace candor::testing {
namespace {

absl::Status CheckBinaries(const std::string& bindir) {
  for (const char* bin : {"swtpm", "swtpm_setup", "swtpm_localca",
                          "swtpm_ioctl"}) {
    std::string path = absl::StrCat(bindir, "/", bin);
    if (access(path.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "swtpm not found: ", path, " is missing or not executable "
          "(CANDOR_SWTPM_BINDIR=", bindir, "); install swtpm and swtpm-tools "
          "with scripts/setup"));
    }
  }
  return absl::OkStatus();
}

// The private CA shared by all instances of this process: swtpm_localca makes
// its root and intermediate on first use, in `ca/`; `ek-ca/` gets copies of
// the two certificates only (no private keys).
struct SharedCa {
  TempDir dir;
  std::string ca_dir, ek_ca_dir, setup_conf;
};

absl::StatusOr<SharedCa*> GetSharedCa() {
  static absl::StatusOr<std::unique_ptr<SharedCa>> ca =
      []() -> absl::StatusOr<std::unique_ptr<SharedCa>> {
    absl::StatusOr<TempDir> dir = TempDir::Create(TestTmpRoot(),
                                                  "candor-swtpm-ca.");
    if (!dir.ok()) return dir.status();
    auto ca = std::make_unique<SharedCa>();
    ca->dir = std::move(*dir);
    ca->ca_dir = ca->dir.Sub("ca");
    ca->ek_ca_dir = ca->dir.Sub("ek-ca");
    ca->setup_conf = ca->dir.Sub("swtpm_setup.conf");
    mkdir(ca->ca_dir.c_str(), 0700);
    mkdir(ca->ek_ca_dir.c_str(), 0700);
    std::string bindir = SwtpmBinDir();
    absl::Status s = WriteFile(
        ca->dir.Sub("swtpm-localca.conf"),
        absl::StrCat("statedir = ", ca->ca_dir, "\n",
                     "signingkey = ", ca->ca_dir, "/signkey.pem\n",
                     "issuercert = ", ca->ca_dir, "/issuercert.pem\n",
                     "certserial = ", ca->ca_dir, "/certserial\n"));
    if (s.ok()) {
      s = WriteFile(ca->dir.Sub("swtpm-localca.options"),
                    "--platform-manufacturer Candor\n"
                    "--platform-version 2.1\n"
                    "--platform-model swtpm\n");
    }
    if (s.ok()) {
      s = WriteFile(
          ca->setup_conf,
          absl::StrCat("create_certs_tool = ", bindir, "/swtpm_localca\n",
                       "create_certs_tool_config = ", ca->dir.Sub(
                           "swtpm-localca.conf"), "\n",
                       "create_certs_tool_options = ",
                       ca->dir.Sub("swtpm-localca.options"), "\n"));
    }
    if (!s.ok()) return s;
    return ca;
  }();
  if (!ca.ok()) return ca.status();
  return ca->get();
}

absl::Status CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::copy_file(
      from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("copy ", from, " to ", to, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SwtpmBinDir() {
  const char* d = std::getenv("CANDOR_SWTPM_BINDIR");
  return (d != nullptr && *d != '\0') ? d : "/usr/bin";
}

absl::StatusOr<std::string> Swtpm::EkCaDir() {
  absl::StatusOr<SharedCa*> ca = GetSharedCa();
  if (!ca.ok()) return ca.status();
  std::string root = (*ca)->ca_dir + "/swtpm-localca-rootca-cert.pem";
  if (access(root.c_str(), R_OK) != 0) {
    return absl::FailedPreconditionError(
        "the swtpm CA has no certificates yet: start a provisioned Swtpm "
        "first");
  }
  absl::Status s = CopyFile(root, (*ca)->ek_ca_dir + "/root.pem");
  if (s.ok()) {
    s = CopyFile((*ca)->ca_dir + "/issuercert.pem",
                 (*ca)->ek_ca_dir + "/intermediate.pem");
  }
  if (!s.ok()) return s;
  return (*ca)->ek_ca_dir;
}

absl::StatusOr<std::unique_ptr<Swtpm>> Swtpm::Start(
    const SwtpmOptions& options) {
  std::string bindir = SwtpmBinDir();
  absl::Status s = CheckBinaries(bindir);
  if (!s.ok()) return s;
  absl::StatusOr<TempDir> dir =
      TempDir::Create(TestTmpRoot(), "candor-swtpm.");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<Swtpm> tpm(new Swtpm(std::move(*dir)));
  tpm->state_dir_ = tpm->dir_.Sub("state");
  mkdir(tpm->state_dir_.c_str(), 0700);
  if (options.provision) {
    absl::StatusOr<SharedCa*> ca = GetSharedCa();
    if (!ca.ok()) return ca.status();
    std::string ekcerts = tpm->dir_.Sub("ekcerts");
    mkdir(ekcerts.c_str(), 0700);
    SubprocessOptions setup;
    setup.argv = {bindir + "/swtpm_setup", "--tpm2",
                  "--tpm", bindir + "/swtpm socket",
                  "--tpmstate", tpm->state_dir_,
                  "--config", (*ca)->setup_conf,
                  "--pcr-banks", options.pcr_banks,
                  "--logfile", tpm->dir_.Sub("swtpm_setup.log")};
    if (options.ek_certificates) {
      setup.argv.insert(setup.argv.end(),
                        {"--create-ek-cert", "--create-platform-cert",
                         "--write-ek-cert-files", ekcerts});
    } else {
      setup.argv.push_back("--createek");
    }
    setup.stdout_path = tpm->dir_.Sub("swtpm_setup.out");
    s = RunCommand(setup, absl::Seconds(60));
    if (!s.ok()) {
      return absl::InternalError(absl::StrCat(
          s.message(), "; swtpm_setup log: ",
          FileTail(tpm->dir_.Sub("swtpm_setup.log"))));
    }
  }
  // A free pair may be taken by another test before swtpm binds it: retry.
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<PortPair> ports = ListenOnConsecutivePorts();
    if (!ports.ok()) return ports.status();
    tpm->port_ = ports->server.port();
    ports->server.Close();
    ports->control.Close();
    s = tpm->Launch();
    if (s.ok()) return tpm;
    if (attempt == 4 || !absl::StrContains(s.message(), "in use")) return s;
  }
}

absl::Status Swtpm::Launch() {
  SubprocessOptions opts;
  opts.argv = {SwtpmBinDir() + "/swtpm", "socket", "--tpm2",
               // disconnect: close the connection after every response, so
               // several clients (agent, IMA emulator, tpm2-tools) share the
               // TPM command by command; tpm2-tss's swtpm TCTI reconnects.
               "--server", absl::StrCat("type=tcp,port=", port_,
                                        ",bindaddr=127.0.0.1,disconnect"),
               "--ctrl", absl::StrCat("type=tcp,port=", port_ + 1,
                                      ",bindaddr=127.0.0.1"),
               "--tpmstate", absl::StrCat("dir=", state_dir_),
               "--flags", "not-need-init,startup-clear",
               "--log", absl::StrCat("file=", dir_.Sub("swtpm.log"), ",level=1")};
  opts.stdout_path = dir_.Sub("swtpm.out");
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start(opts);
  if (!p.ok()) return p.status();
  process_ = std::move(*p);
  // swtpm gives no readiness signal: probe both ports until they accept.
  auto alive = [this] { return process_->Running(); };
  absl::Status s = WaitForPort(port_, absl::Seconds(10), alive);
  if (s.ok()) s = WaitForPort(port_ + 1, absl::Seconds(10), alive);
  if (s.ok()) return s;
  std::string log =
      FileTail(dir_.Sub("swtpm.log")) + FileTail(dir_.Sub("swtpm.out"));
  process_.reset();
  return absl::Status(s.code(),
                      absl::StrCat("swtpm on ports ", port_, "/", port_ + 1,
                                   ": ", s.message(), ": ", log));
}

Swtpm::~Swtpm() {
  if (process_ != nullptr) process_->Stop(SIGTERM);
}

std::string Swtpm::tcti() const {
  return absl::StrCat("swtpm:host=127.0.0.1,port=", port_);
}

std::string Swtpm::ek_cert_path_rsa() const {
  return dir_.Sub("ekcerts/ek-rsa2048.crt");
}
std::string Swtpm::ek_cert_path_ecc() const {
  return dir_.Sub("ekcerts/ek-secp384r1.crt");
}

absl::Status Swtpm::Stop() {
  if (process_ == nullptr) return absl::OkStatus();
  int st = process_->Stop(SIGTERM);
  process_.reset();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    return absl::InternalError(absl::StrCat(
        "swtpm stopped with ", DescribeWaitStatus(st), "; log: ",
        FileTail(dir_.Sub("swtpm.log"))));
  }
  return absl::OkStatus();
}

absl::Status Swtpm::Restart() {
  absl::Status s = Stop();
  if (!s.ok()) return s;
  return Launch();
}

absl::Status Swtpm::Ioctl(const std::string& flag) {
  SubprocessOptions opts;
  opts.argv = {SwtpmBinDir() + "/swtpm_ioctl", "--tcp",
               absl::StrCat("127.0.0.1:", port_ + 1), flag};
  opts.stdout_path = dir_.Sub("swtpm_ioctl.out");
  return RunCommand(opts, absl::Seconds(10));
}

}  // namespace candor::testing
