// File: tests/integration/registrar/registrar_swtpm_fixture.h  (testonly)
//
// The fixture of the registrar's end-to-end tests: a fresh PostgreSQL
// database per test (PgRegistrarStore), the service in process on
// 127.0.0.1:0 behind a generated stub (restartable with another EK trust
// configuration), a fake clock, and agents whose TPM is a provisioned swtpm
// driven with tpm2-tools (tpm_tools.h). The swtpms are shared by the whole
// test binary, one per role ("a", "b", "no-cert"), and stopped at its end.
#ifndef CANDOR_TESTS_INTEGRATION_REGISTRAR_REGISTRAR_SWTPM_FIXTURE_H_
#define CANDOR_TESTS_INTEGRATION_REGISTRAR_REGISTRAR_SWTPM_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "gtest/gtest.h"
#include "lib/rpc/server.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/registrar_service.h"
#include "services/registrar/store/pg_store.h"
#include "services/registrar/testing/fake_clock.h"
#include "tests/harness/swtpm.h"
#include "tests/integration/registrar/tpm_tools.h"

namespace candor::testing {

// A shared swtpm with its tools and the AKs created on it (by EK type).
struct TpmAgent {
  std::unique_ptr<Swtpm> tpm;
  std::unique_ptr<TpmTools> tools;
  std::map<std::string, TpmTools::Ak> aks;
};

// The swtpm of `role`, started (provisioned, with or without EK
// certificates) on first use.
absl::StatusOr<TpmAgent*> SharedTpm(const std::string& role,
                                    bool ek_certificates);

class RegistrarSwtpmTest : public ::testing::Test {
 protected:
  struct Tpm {
    TpmAgent* agent;
    TpmEk ek;
    TpmTools::Ak ak;
    std::string ek_public;
    std::string ek_certificate;
  };

  void SetUp() override;
  // (Re)starts the registrar with this EK trust configuration on the same
  // database.
  void StartRegistrar(const std::string& ca_dir,
                      const std::string& allowlist = "",
                      registrar::EnrollmentOptions options = {});
  // The TPM of `role` with its `ek` and an AK (created once per role/ek):
  // RSA AK under the RSA EK, ECC AK under the ECC EK.
  absl::StatusOr<Tpm> GetTpm(const std::string& role, TpmEk ek,
                             bool ek_certificates = true);
  // The RegisterRequest the agent on `t` sends ("" = EK-derived id).
  v1::RegisterRequest Request(const Tpm& t, const std::string& id = "");

  absl::StatusOr<v1::RegisterResponse> Register(const v1::RegisterRequest& r);
  absl::StatusOr<v1::RegisteredAgent> Activate(const std::string& id,
                                               const std::string& proof);
  absl::StatusOr<v1::RegisteredAgent> Get(const std::string& id);
  // Register, TPM2_ActivateCredential on the swtpm, Activate with the proof.
  absl::StatusOr<v1::RegisteredAgent> Enroll(const Tpm& t,
                                             const std::string& id = "");

  std::string conninfo_;
  std::string swtpm_ca_dir_;
  registrar::testing::FakeClock clock_;
  registrar::InsecureAllowAllAuthorizer authorizer_;
  std::unique_ptr<registrar::PgRegistrarStore> store_;
  std::unique_ptr<registrar::EkTrust> trust_;
  std::unique_ptr<registrar::Enrollment> enrollment_;
  std::unique_ptr<registrar::RegistrarServiceImpl> service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<v1::RegistrarService::Stub> stub_;
};

}  // namespace candor::testing

#endif  // CANDOR_TESTS_INTEGRATION_REGISTRAR_REGISTRAR_SWTPM_FIXTURE_H_
