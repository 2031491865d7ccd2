// File: tests/integration/registrar/tpm_tools.h  (testonly)
//
// The agent's TPM side of enrollment, done with tpm2-tools against a harness
// swtpm (notes/tpm.md §2): read an EK's public area, create an AK under an
// EK, and run TPM2_ActivateCredential on a registrar's challenge. swtpm has no
// resource manager, so every tool is followed by `tpm2_flushcontext -t` and
// `-s`. EK-authorized commands use a policy session: PolicySecret(endorsement)
// for the RSA EK (policy A, SHA-256); for swtpm's P-384 EK, whose authPolicy
// is PolicyB_SHA384 = PolicyOR(PolicyA_SHA384, PolicyC_SHA384) of the TCG EK
// Credential Profile, PolicySecret then PolicyOR over those two digests.
// Not thread-safe (one TPM, one tool at a time).
#ifndef CANDOR_TESTS_INTEGRATION_REGISTRAR_TPM_TOOLS_H_
#define CANDOR_TESTS_INTEGRATION_REGISTRAR_TPM_TOOLS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/harness/swtpm.h"

namespace candor::testing {

enum class TpmEk { kRsa, kEcc };  // 0x81010001 RSA-2048, 0x81010016 P-384

// FAILED_PRECONDITION naming the missing tool, so CANDOR_REQUIRE_RESOURCE
// can fail (CI) or skip.
absl::Status RequireTpm2Tools();

class TpmTools {
 public:
  // `work_dir` holds the tools' files; it must exist.
  TpmTools(const Swtpm& tpm, std::string work_dir)
      : tcti_(tpm.tcti()), dir_(std::move(work_dir)) {}

  struct Ak {
    std::string context;  // file name of the saved context (in work_dir)
    std::string pub;      // marshalled TPM2B_PUBLIC
    std::string name;     // TPM2B_NAME contents
  };

  // The EK's marshalled TPM2B_PUBLIC (tpm2_readpublic -f tss).
  absl::StatusOr<std::string> EkPublic(TpmEk ek);
  // tpm2_createak under `ek`: RSA-2048 RSASSA-SHA256 or ECC P-256
  // ECDSA-SHA256. `label` names its files.
  absl::StatusOr<Ak> CreateAk(TpmEk ek, bool ecc, const std::string& label);
  // TPM2_ActivateCredential of (credential_blob, encrypted_secret), both
  // marshalled with their sizes as in RegisterResponse. Returns the recovered
  // credential, or the tool's error (e.g. "integrity check failed").
  absl::StatusOr<std::string> ActivateCredential(
      TpmEk ek, const Ak& ak, const std::string& credential_blob,
      const std::string& encrypted_secret);

 private:
  // Runs /usr/bin/<args[0]> with the rest, then flushes transient objects
  // and sessions.
  absl::Status Run(const std::vector<std::string>& args);
  absl::Status Tool(const std::vector<std::string>& args);
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string tcti_;
  std::string dir_;
  int runs_ = 0;
};

}  // namespace candor::testing

#endif  // CANDOR_TESTS_INTEGRATION_REGISTRAR_TPM_TOOLS_H_
