// Runs `tenant agent add --payload` (the built binary) against in-process
// fakes of the verifier, the registrar and the agent: the U/V split end to
// end (opened with the agent side of lib/payload), registration problems,
// and the production path over mTLS pinning the agent's certificate.
#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/tenant/testing/fake_payload_peers.h"
#include "cli/tenant/testing/fake_verifier.h"
#include "cli/tenant/testing/run_tenant.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/x509.h"
#include "lib/payload/unsplit.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {
namespace {

using ::testing::HasSubstr;
using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// U goes to the agent, V to the verifier, and together they open the payload.
class PayloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = testing::FakeVerifier::Start();
    registrar_ = testing::FakeRegistrar::Start();
    agent_ = testing::FakeAgent::Start();
    ASSERT_NE(fake_, nullptr);
    ASSERT_NE(registrar_, nullptr);
    ASSERT_NE(agent_, nullptr);
    key_.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    ASSERT_NE(key_, nullptr);
    absl::StatusOr<std::string> spki = crypto::PublicKeyToDer(key_.get());
    ASSERT_TRUE(spki.ok());
    reg_.mutable_identity()->set_agent_id("node-1");
    reg_.mutable_identity()->set_transport_public_key(*spki);
    reg_.set_address(agent_->address());
    reg_.set_state(v1::REGISTRATION_STATE_ACTIVE);
    registrar_->Put(reg_);
  }

  Result Run(std::vector<std::string> args) {
    std::vector<std::string> argv = {"--insecure", "--timeout", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--verifier", fake_->address()});
    return RunTenant(argv);
  }

  std::unique_ptr<testing::FakeVerifier> fake_;
  std::unique_ptr<testing::FakeRegistrar> registrar_;
  std::unique_ptr<testing::FakeAgent> agent_;
  crypto::OsslPtr<EVP_PKEY> key_;
  v1::RegisteredAgent reg_;
};

TEST_F(PayloadTest, SharesRecombineAndOpenThePayload) {
  std::string payload = Tmp() + "/secret.txt";
  WriteFile(payload, "the secret");
  std::string out = Tmp() + "/added.json";
  Result r = Run({"-o", "json", "--out", out, "agent", "add", "node-1",
                  "--registrar", registrar_->address(), "--payload", payload});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(ReadFile(out))["agent_id"], "node-1");

  ASSERT_EQ(agent_->received().size(), 1u);
  v1::DeliverKeyShareRequest u = agent_->received()[0];
  EXPECT_EQ(u.kind(), v1::KEY_SHARE_KIND_U);
  ASSERT_EQ(fake_->add_requests().size(), 1u);
  crypto::SecretBytes v(fake_->add_requests()[0].v_share());
  ASSERT_EQ(v.size(), 32u);

  absl::StatusOr<crypto::SecretBytes> ushare =
      payload::UnwrapShare(key_.get(), u.encrypted_share());
  ASSERT_TRUE(ushare.ok()) << ushare.status();
  absl::StatusOr<crypto::SecretBytes> k =
      payload::RecombineKey(*ushare, v, "node-1", u.auth_tag());
  ASSERT_TRUE(k.ok()) << k.status();
  absl::StatusOr<crypto::SecretBytes> plain =
      payload::DecryptPayload(*k, u.encrypted_payload());
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->view(), "the secret");
}

TEST_F(PayloadTest, RegistrationProblemsAreSaidPlainly) {
  std::string payload = Tmp() + "/p.txt";
  WriteFile(payload, "x");
  Result r = Run({"agent", "add", "node-9", "--registrar",
                  registrar_->address(), "--payload", payload});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("agent node-9 not found at the registrar"));

  reg_.set_state(v1::REGISTRATION_STATE_PENDING_ACTIVATION);
  registrar_->Put(reg_);
  r = Run({"agent", "add", "node-1", "--registrar", registrar_->address(),
           "--payload", payload});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("not active yet"));

  r = Run({"agent", "add", "node-1", "--registrar", "127.0.0.1:1", "--payload",
           payload});
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot reach the registrar at 127.0.0.1:1 "
                                  "(is it running? --registrar)"));
  EXPECT_TRUE(agent_->received().empty());
  EXPECT_TRUE(fake_->add_requests().empty());
}

// The production path: mTLS everywhere with the tenant certificate, and the
// agent reached by pinning its registered certificate (target name = id).
TEST(PayloadMtlsTest, PinsTheRegisteredAgentCertificate) {
  std::string dir = Tmp() + "/pki";
  pki::InitOptions init;
  init.dir = dir;
  ASSERT_TRUE(pki::InitPki(init).ok());
  std::string ca = ReadFile(pki::CertPath(dir, "ca"));
  auto creds = [&](const std::string& cert, const std::string& key) {
    rpc::TlsServerConfig c;
    c.cert_pem = cert;
    c.key_pem = crypto::SecretBytes(key);
    c.client_ca_pem = ca;
    return rpc::MakeServerCredentials(c);
  };
  auto service_creds = [&](const std::string& name) {
    return creds(ReadFile(pki::CertPath(dir, name)),
                 ReadFile(pki::KeyPath(dir, name)));
  };
  auto verifier = testing::FakeVerifier::Start(service_creds("verifier"));
  auto registrar = testing::FakeRegistrar::Start(service_creds("registrar"));
  absl::StatusOr<pki::PemPair> node1 =
      pki::MakeAgentCertificate("node-1", absl::Hours(1));
  absl::StatusOr<pki::PemPair> node2 =
      pki::MakeAgentCertificate("node-2", absl::Hours(1));
  ASSERT_TRUE(node1.ok() && node2.ok());
  auto agent = testing::FakeAgent::Start(
      creds(node1->cert_pem, std::string(node1->key_pem.view())));
  ASSERT_TRUE(verifier && registrar && agent);

  crypto::OsslPtr<EVP_PKEY> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ASSERT_NE(key, nullptr);
  auto der = [](const std::string& pem) {
    absl::StatusOr<crypto::OsslPtr<X509>> c = crypto::ParseCertificate(pem);
    EXPECT_TRUE(c.ok());
    return *crypto::CertificateToDer(c->get());
  };
  v1::RegisteredAgent reg;
  reg.mutable_identity()->set_agent_id("node-1");
  reg.mutable_identity()->set_transport_public_key(
      *crypto::PublicKeyToDer(key.get()));
  reg.mutable_identity()->set_tls_certificate(der(node1->cert_pem));
  reg.set_address(agent->address());
  reg.set_state(v1::REGISTRATION_STATE_ACTIVE);
  registrar->Put(reg);
  std::string payload = Tmp() + "/mtls.txt";
  WriteFile(payload, "over mTLS");
  std::vector<std::string> add = {"--certs",
                                  dir,
                                  "--timeout",
                                  "5",
                                  "agent",
                                  "add",
                                  "node-1",
                                  "--verifier",
                                  verifier->address(),
                                  "--registrar",
                                  registrar->address(),
                                  "--payload",
                                  payload};
  Result r = RunTenant(add);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(agent->received().size(), 1u);
  ASSERT_EQ(verifier->add_requests().size(), 1u);
  EXPECT_EQ(verifier->add_requests()[0].v_share().size(), 32u);

  // The registrar vouches for another certificate: the handshake fails and
  // nothing is delivered or added.
  reg.mutable_identity()->set_tls_certificate(der(node2->cert_pem));
  registrar->Put(reg);
  r = RunTenant(add);
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot reach the agent node-1 at"));
  EXPECT_EQ(agent->received().size(), 1u);
  EXPECT_EQ(verifier->add_requests().size(), 1u);
}

}  // namespace
}  // namespace candor::tenant
