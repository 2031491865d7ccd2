// File: services/registrar/testing/enrollment_fixture.h  (testonly)
//
// Software agents for registrar tests and the benchmark: an EK (with a
// certificate from a test EK CA, or none), an AK, a transport key and a TLS
// certificate, the RegisterRequest an agent would send, and the proof it
// would compute after TPM2_ActivateCredential (done in software with the
// EK's private key). Thread-safe after construction.
#ifndef CANDOR_SERVICES_REGISTRAR_TESTING_ENROLLMENT_FIXTURE_H_
#define CANDOR_SERVICES_REGISTRAR_TESTING_ENROLLMENT_FIXTURE_H_

#include <string>

#include "absl/status/statusor.h"
#include "candor/v1/registrar.pb.h"
#include "lib/crypto/testing/test_certs.h"
#include "services/registrar/testing/tpm_keys.h"

namespace candor::registrar::testing {

// A root and an intermediate EK CA (EC P-256) whose PEM certificates are in
// `dir` (a fresh temporary directory), ready for --ek_ca_dir.
struct TestEkCa {
  crypto::test_certs::TestChain chain;
  std::string dir;
};
absl::StatusOr<TestEkCa> MakeTestEkCa(const std::string& prefix);

// An EK certificate for `ek` issued by `ca`'s intermediate (DER).
absl::StatusOr<std::string> IssueEkCertificate(const TestEkCa& ca,
                                               EVP_PKEY* ek);

struct SoftwareAgent {
  SoftwareKey ek;
  SoftwareKey ak;
  std::string ek_certificate;  // DER, empty for none
  std::string transport_public_key;
  std::string tls_certificate;
  std::string agent_id;
  std::string address = "127.0.0.1:9002";

  v1::RegisterRequest MakeRegisterRequest() const;
  // ActivateCredential in software, then HMAC-SHA384(credential, agent_id).
  absl::StatusOr<std::string> Prove(
      const v1::RegisterResponse& challenge) const;
  // The ActivateRequest carrying Prove(challenge).
  absl::StatusOr<v1::ActivateRequest> MakeActivateRequest(
      const v1::RegisterResponse& challenge) const;
};

struct AgentOptions {
  EkKind ek = EkKind::kEccP256;  // ECC keys are fast to generate
  AkKind ak = AkKind::kEccP256;
  const TestEkCa* ca = nullptr;  // null: no EK certificate
  std::string agent_id;          // "": the EK-derived id
  bool transport_key = true;     // an RSA-2048 transport key (slow-ish)
  bool tls_certificate = true;
};
absl::StatusOr<SoftwareAgent> MakeSoftwareAgent(const AgentOptions& options);

}  // namespace candor::registrar::testing

#endif  // CANDOR_SERVICES_REGISTRAR_TESTING_ENROLLMENT_FIXTURE_H_
