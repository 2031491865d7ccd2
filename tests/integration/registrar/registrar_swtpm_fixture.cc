#include "tests/integration/registrar/registrar_swtpm_fixture.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/status/grpc_status.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/proof.h"
#include "services/registrar/testing/tpm_keys.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"

namespace candor::testing {
namespace {

using registrar::EkHash;
namespace tc = crypto::test_certs;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One provisioned swtpm per role, started on first use and kept for the
// whole binary (provisioning takes ~0.7 s), with its tools and AKs.
std::map<std::string, TpmAgent>* tpms = nullptr;

// Stops the shared swtpms and removes their directories at the end.
class TpmCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    delete tpms;
    tpms = nullptr;
  }
};
::testing::Environment* const kTpmCleanup =
    ::testing::AddGlobalTestEnvironment(new TpmCleanup);

}  // namespace

absl::StatusOr<TpmAgent*> SharedTpm(const std::string& role,
                                    bool ek_certificates) {
  if (tpms == nullptr) tpms = new std::map<std::string, TpmAgent>();
  auto it = tpms->find(role);
  if (it != tpms->end()) return &it->second;
  absl::Status tools = RequireTpm2Tools();
  if (!tools.ok()) return tools;
  SwtpmOptions o;
  o.ek_certificates = ek_certificates;
  auto tpm = Swtpm::Start(o);
  if (!tpm.ok()) return tpm.status();
  TpmAgent& agent = (*tpms)[role];
  agent.tpm = std::move(*tpm);
  std::string dir = tc::NewTempDir(absl::StrCat("tools-", role));
  agent.tools = std::make_unique<TpmTools>(*agent.tpm, dir);
  return &agent;
}

void RegistrarSwtpmTest::SetUp() {
  auto pg = SharedPostgres();
  CANDOR_REQUIRE_RESOURCE(pg);
  auto db = (*pg)->CreateDatabase("registrar");
  ASSERT_TRUE(db.ok()) << db.status();
  conninfo_ = *db;
  auto store = registrar::PgRegistrarStore::Open(conninfo_, 4);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  // The shared CA exists once a provisioned swtpm was started.
  auto first = SharedTpm("a", /*ek_certificates=*/true);
  CANDOR_REQUIRE_RESOURCE(first);
  auto ca = Swtpm::EkCaDir();
  CANDOR_REQUIRE_RESOURCE(ca);
  swtpm_ca_dir_ = *ca;
}

// (Re)starts the registrar with this EK trust configuration on the same
// database.
void RegistrarSwtpmTest::StartRegistrar(const std::string& ca_dir,
                                        const std::string& allowlist,
                                        registrar::EnrollmentOptions options) {
  server_.reset();
  auto trust = registrar::EkTrust::Load({ca_dir, allowlist, false});
  ASSERT_TRUE(trust.ok()) << trust.status();
  trust_ = std::make_unique<registrar::EkTrust>(std::move(*trust));
  enrollment_ = std::make_unique<registrar::Enrollment>(
      store_.get(), trust_.get(), &clock_, options);
  service_ = std::make_unique<registrar::RegistrarServiceImpl>(
      enrollment_.get(), &authorizer_, nullptr, nullptr);
  auto server = rpc::StartServer(
      {"127.0.0.1:0",
       nullptr,
       {rpc::ServiceEntry::Of<v1::RegistrarService>(service_.get())}});
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  stub_ = v1::RegistrarService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                          grpc::InsecureChannelCredentials()));
}

// The TPM of `role` with its `ek` and an AK (created once per role/ek).
absl::StatusOr<RegistrarSwtpmTest::Tpm> RegistrarSwtpmTest::GetTpm(
    const std::string& role, TpmEk ek, bool ek_certificates) {
  auto agent = SharedTpm(role, ek_certificates);
  if (!agent.ok()) return agent.status();
  Tpm t{*agent, ek, {}, {}, {}};
  const std::string key = ek == TpmEk::kRsa ? "rsa" : "ecc";
  auto cached = t.agent->aks.find(key);
  if (cached == t.agent->aks.end()) {
    // An RSA AK under the RSA EK, an ECC AK under the ECC EK.
    auto ak = t.agent->tools->CreateAk(ek, ek == TpmEk::kEcc, key + "-ak");
    if (!ak.ok()) return ak.status();
    cached = t.agent->aks.emplace(key, *ak).first;
  }
  t.ak = cached->second;
  auto pub = t.agent->tools->EkPublic(ek);
  if (!pub.ok()) return pub.status();
  t.ek_public = *pub;
  if (ek_certificates) {
    t.ek_certificate =
        ReadFile(ek == TpmEk::kRsa ? t.agent->tpm->ek_cert_path_rsa()
                                   : t.agent->tpm->ek_cert_path_ecc());
  }
  return t;
}

v1::RegisterRequest RegistrarSwtpmTest::Request(const Tpm& t,
                                                const std::string& id) {
  v1::RegisterRequest r;
  v1::AgentIdentity* i = r.mutable_identity();
  i->set_agent_id(id.empty() ? EkHash(t.ek_public) : id);
  i->set_ek_public(t.ek_public);
  i->set_ek_certificate(t.ek_certificate);
  i->set_ak_public(t.ak.pub);
  i->set_ak_name(t.ak.name);
  auto tls = registrar::testing::MakeTlsCertificateDer(i->agent_id());
  EXPECT_TRUE(tls.ok());
  i->set_tls_certificate(*tls);
  r.set_address("127.0.0.1:9002");
  return r;
}

absl::StatusOr<v1::RegisterResponse> RegistrarSwtpmTest::Register(
    const v1::RegisterRequest& r) {
  grpc::ClientContext ctx;
  v1::RegisterResponse out;
  grpc::Status s = stub_->Register(&ctx, r, &out);
  if (!s.ok()) return FromGrpcStatus(s);
  return out;
}
absl::StatusOr<v1::RegisteredAgent> RegistrarSwtpmTest::Activate(
    const std::string& id, const std::string& proof) {
  grpc::ClientContext ctx;
  v1::ActivateRequest req;
  req.set_agent_id(id);
  req.set_proof(proof);
  v1::RegisteredAgent out;
  grpc::Status s = stub_->Activate(&ctx, req, &out);
  if (!s.ok()) return FromGrpcStatus(s);
  return out;
}
absl::StatusOr<v1::RegisteredAgent> RegistrarSwtpmTest::Get(
    const std::string& id) {
  grpc::ClientContext ctx;
  v1::GetRegisteredAgentRequest req;
  req.set_agent_id(id);
  v1::RegisteredAgent out;
  grpc::Status s = stub_->GetRegisteredAgent(&ctx, req, &out);
  if (!s.ok()) return FromGrpcStatus(s);
  return out;
}
// Register, ActivateCredential on the TPM, Activate with the proof.
absl::StatusOr<v1::RegisteredAgent> RegistrarSwtpmTest::Enroll(
    const Tpm& t, const std::string& id) {
  v1::RegisterRequest req = Request(t, id);
  auto challenge = Register(req);
  if (!challenge.ok()) return challenge.status();
  auto credential = t.agent->tools->ActivateCredential(
      t.ek, t.ak, challenge->credential_blob(), challenge->encrypted_secret());
  if (!credential.ok()) return credential.status();
  auto proof = registrar::ComputeProof(*credential, req.identity().agent_id());
  if (!proof.ok()) return proof.status();
  return Activate(req.identity().agent_id(), *proof);
}

}  // namespace candor::testing
