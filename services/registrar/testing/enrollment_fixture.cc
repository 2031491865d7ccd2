#include "services/registrar/testing/enrollment_fixture.h"

#include <string>
#include <utility>

#include "lib/crypto/x509.h"
#include "lib/status/status_macros.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/proof.h"
#include "lib/tpm/software_credential.h"

namespace candor::registrar::testing {

namespace tc = crypto::test_certs;

absl::StatusOr<TestEkCa> MakeTestEkCa(const std::string& prefix) {
  TestEkCa ca;
  ABSL_ASSIGN_OR_RETURN(ca.chain, tc::MakeChain(prefix, /*ek_leaf=*/true));
  ca.dir = tc::NewTempDir(prefix);
  ABSL_ASSIGN_OR_RETURN(std::string root,
                        crypto::CertificateToPem(ca.chain.root.get()));
  ABSL_ASSIGN_OR_RETURN(std::string mid,
                        crypto::CertificateToPem(ca.chain.intermediate.get()));
  ABSL_RETURN_IF_ERROR(tc::WriteFile(ca.dir + "/root.pem", root));
  ABSL_RETURN_IF_ERROR(tc::WriteFile(ca.dir + "/intermediate.pem", mid));
  return ca;
}

absl::StatusOr<std::string> IssueEkCertificate(const TestEkCa& ca,
                                               EVP_PKEY* ek) {
  tc::CertOptions o;
  o.common_name = "EK";
  o.ek_extensions = true;
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<X509> cert,
                        tc::MakeCertificate(o, ek, ca.chain.intermediate.get(),
                                            ca.chain.intermediate_key.get()));
  return crypto::CertificateToDer(cert.get());
}

v1::RegisterRequest SoftwareAgent::MakeRegisterRequest() const {
  v1::RegisterRequest r;
  v1::AgentIdentity* id = r.mutable_identity();
  id->set_agent_id(agent_id);
  id->set_ek_public(ek.marshalled);
  id->set_ek_certificate(ek_certificate);
  id->set_ak_public(ak.marshalled);
  id->set_ak_name(ak.name);
  id->set_transport_public_key(transport_public_key);
  id->set_tls_certificate(tls_certificate);
  r.set_address(address);
  return r;
}

absl::StatusOr<std::string> SoftwareAgent::Prove(
    const v1::RegisterResponse& challenge) const {
  ABSL_ASSIGN_OR_RETURN(
      crypto::SecretBytes credential,
      tpm::SoftwareActivateCredential(ek.key.get(), ek.pub.publicArea, ak.name,
                                      challenge.credential_blob(),
                                      challenge.encrypted_secret()));
  return ComputeProof(credential.view(), agent_id);
}

absl::StatusOr<v1::ActivateRequest> SoftwareAgent::MakeActivateRequest(
    const v1::RegisterResponse& challenge) const {
  v1::ActivateRequest r;
  r.set_agent_id(agent_id);
  ABSL_ASSIGN_OR_RETURN(*r.mutable_proof(), Prove(challenge));
  return r;
}

absl::StatusOr<SoftwareAgent> MakeSoftwareAgent(const AgentOptions& options) {
  SoftwareAgent a;
  ABSL_ASSIGN_OR_RETURN(a.ek, MakeEk(options.ek));
  ABSL_ASSIGN_OR_RETURN(a.ak, MakeAk(options.ak));
  if (options.ca != nullptr) {
    ABSL_ASSIGN_OR_RETURN(a.ek_certificate,
                          IssueEkCertificate(*options.ca, a.ek.key.get()));
  }
  a.agent_id =
      options.agent_id.empty() ? EkHash(a.ek.marshalled) : options.agent_id;
  if (options.transport_key) {
    ABSL_ASSIGN_OR_RETURN(a.transport_public_key, MakeTransportKeyDer());
  }
  if (options.tls_certificate) {
    ABSL_ASSIGN_OR_RETURN(a.tls_certificate, MakeTlsCertificateDer(a.agent_id));
  }
  return a;
}

}  // namespace candor::registrar::testing
