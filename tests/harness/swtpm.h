// File: tests/harness/swtpm.h
//
// Real software TPMs for tests (swtpm 0.7, notes/tpm.md §1). Each instance has
// its own state directory, is provisioned by `swtpm_setup` with EK certificates
// (RSA-2048 at NV 0x01c00002, ECC P-384 at 0x01c00016) issued by a private CA
// shared by every instance of the test process, has the sha1 and sha256 PCR
// banks active, and runs as a direct child of the test on two consecutive
// loopback ports (TCTI "swtpm:host=127.0.0.1,port=P", control port P+1).
//
// swtpm runs with `--server …,disconnect`: it closes the client connection
// after every response and tpm2-tss reconnects for the next command, so
// several clients share one TPM command by command, as they would share
// /dev/tpmrm0 (without it swtpm serves one connection at a time and a second
// client blocks until the first disconnects).
//
// Start() picks a free pair of ports (retrying if another process takes them
// first) and returns once swtpm accepts connections on both. Stop/Restart keep
// the same ports and state (a power cycle of the process; use Ioctl("-i") for
// a TPM reset without restarting it). While stopped, connections are refused.
// (swtpm 0.7.1 cannot take an inherited listening socket for its server port:
// with `--server type=tcp,fd=N` it never serves, so ports are bound by swtpm.)
//
// Binaries come from $CANDOR_SWTPM_BINDIR (default /usr/bin). Use
// CANDOR_REQUIRE_RESOURCE on Start()'s result so a missing swtpm fails under CI.
#ifndef CANDOR_TESTS_HARNESS_SWTPM_H_
#define CANDOR_TESTS_HARNESS_SWTPM_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/harness/ports.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/temp_dir.h"

namespace candor::testing {

struct SwtpmOptions {
  // Run swtpm_setup (EKs + EK certificates + platform certificate). When false
  // the TPM is unprovisioned: all four banks, no EK, no NV indices.
  bool provision = true;
  // Create EK certificates (only with provision). False: EKs without certs, as
  // on a TPM whose vendor ships none.
  bool ek_certificates = true;
  std::string pcr_banks = "sha1,sha256";
};

class Swtpm {
 public:
  // Provisions (about 0.7 s) and starts an instance. FAILED_PRECONDITION names
  // a missing binary; other errors carry the tail of swtpm's log.
  static absl::StatusOr<std::unique_ptr<Swtpm>> Start(
      const SwtpmOptions& options = {});

  // Stops swtpm (SIGTERM, waitpid) and removes its state directory.
  ~Swtpm();

  // TCTI configuration for tpm2-tss (Tss2_TctiLdr_Initialize) and tpm2-tools.
  std::string tcti() const;
  int port() const { return port_; }
  int control_port() const { return port_ + 1; }
  const std::string& state_dir() const { return state_dir_; }
  // A directory holding only the private CA's certificates (root and
  // intermediate, PEM): what a registrar's EK CA directory would contain.
  static absl::StatusOr<std::string> EkCaDir();
  // The EK certificates swtpm_setup wrote (DER files), empty if none.
  std::string ek_cert_path_rsa() const;
  std::string ek_cert_path_ecc() const;

  // Stops the process; the state is persisted. Clients block until Restart().
  absl::Status Stop();
  // Starts the process again on the same ports and state.
  absl::Status Restart();
  // Sends a swtpm_ioctl command ("-i" init/reset, "-s" shutdown, ...).
  absl::Status Ioctl(const std::string& flag);

 private:
  explicit Swtpm(TempDir dir) : dir_(std::move(dir)) {}
  absl::Status Launch();

  TempDir dir_;
  std::string state_dir_;
  int port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// Where swtpm, swtpm_setup, swtpm_localca and swtpm_ioctl are looked up.
std::string SwtpmBinDir();

}  // namespace candor::testing

#endif  // CANDOR_TESTS_HARNESS_SWTPM_H_
