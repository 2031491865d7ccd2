// mTLS as DESIGN.md says: certificates from `tenant certs init` (lib/pki),
// servers that require client certificates from the Candor CA, per-RPC roles
// from the client certificate's OU, and agents' self-signed certificates
// pinned exactly with the agent id as TLS target name.
#include <grpcpp/grpcpp.h>

#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/pki/pki.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/server.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "tests/harness/resources.h"

namespace candor {
namespace {

using ::testing::HasSubstr;
using rpc::Role;

// GetAgent is admin-only; ListAgents accepts verifier or admin (a stand-in
// for the real split of roles).
class GuardedVerifier final : public v1::VerifierService::Service {
 public:
  explicit GuardedVerifier(const rpc::Authorizer& auth) : auth_(auth) {}
  grpc::Status GetAgent(grpc::ServerContext* ctx, const v1::GetAgentRequest*,
                        v1::Agent* resp) override {
    absl::Status s = auth_.Check(*ctx, {Role::kAdmin}, "VerifierService.GetAgent");
    if (!s.ok()) return ToGrpcStatus(s);
    resp->set_agent_id("ok");
    return grpc::Status::OK;
  }
  grpc::Status ListAgents(grpc::ServerContext* ctx, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse*) override {
    return ToGrpcStatus(auth_.Check(*ctx, {Role::kVerifier, Role::kAdmin},
                                    "VerifierService.ListAgents"));
  }

 private:
  const rpc::Authorizer& auth_;
};

class MtlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (dir_ != nullptr) return;  // shared with the derived suite
    dir_ = new std::string(testing::TestTmpRoot() + "/pki");
    other_ = new std::string(testing::TestTmpRoot() + "/other-pki");
    pki::InitOptions o;
    o.dir = *dir_;
    ASSERT_TRUE(pki::InitPki(o).ok());
    o.dir = *other_;
    ASSERT_TRUE(pki::InitPki(o).ok());
  }

  void StartServer(const std::string& name, bool require_client_cert) {
    auto cfg = rpc::LoadTlsServerConfig(pki::CertPath(*dir_, name),
                                        pki::KeyPath(*dir_, name),
                                        pki::CertPath(*dir_, "ca"));
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    cfg->require_client_cert = require_client_cert;
    auto server = rpc::StartServer(
        {"127.0.0.1:0", rpc::MakeServerCredentials(*cfg),
         {rpc::ServiceEntry::Of<v1::VerifierService>(&service_)}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  // Calls GetAgent as `client` (a certificate name in `pki_dir`, or "" for
  // none), trusting `pki_dir`'s CA.
  absl::Status Call(const std::string& pki_dir, const std::string& client,
                    bool list = false) {
    auto cfg = rpc::LoadTlsClientConfig(
        pki::CertPath(pki_dir, "ca"),
        client.empty() ? "" : pki::CertPath(pki_dir, client),
        client.empty() ? "" : pki::KeyPath(pki_dir, client));
    if (!cfg.ok()) return cfg.status();
    cfg->target_name = "localhost";
    return CallWith(*cfg, list);
  }

  absl::Status CallWith(const rpc::TlsClientConfig& cfg, bool list = false) {
    auto channel =
        rpc::Dial(absl::StrCat("127.0.0.1:", server_->port()), &cfg);
    auto stub = v1::VerifierService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    if (list) {
      v1::ListAgentsResponse resp;
      return FromGrpcStatus(
          stub->ListAgents(&ctx, v1::ListAgentsRequest(), &resp));
    }
    v1::Agent agent;
    return FromGrpcStatus(stub->GetAgent(&ctx, v1::GetAgentRequest(), &agent));
  }

  static std::string* dir_;
  static std::string* other_;
  std::unique_ptr<rpc::Authorizer> authorizer_ = rpc::MakeMtlsAuthorizer();
  GuardedVerifier service_{*authorizer_};
  std::unique_ptr<rpc::RunningServer> server_;
};
std::string* MtlsTest::dir_ = nullptr;
std::string* MtlsTest::other_ = nullptr;

TEST_F(MtlsTest, AdminMayCallAdminRpc) {
  StartServer("verifier", true);
  EXPECT_TRUE(Call(*dir_, "tenant").ok());
}

TEST_F(MtlsTest, VerifierRoleIsRefusedAdminRpcButAllowedItsOwn) {
  StartServer("verifier", true);
  absl::Status s = Call(*dir_, "verifier");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("role admin"));
  EXPECT_TRUE(Call(*dir_, "verifier", /*list=*/true).ok());
}

TEST_F(MtlsTest, RevocationCertificateIsNoAdmin) {
  StartServer("verifier", true);
  EXPECT_EQ(Call(*dir_, "revocation").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(MtlsTest, NoClientCertificateFailsTheHandshake) {
  StartServer("registrar", true);
  absl::Status s = Call(*dir_, "");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST_F(MtlsTest, NoClientCertificateWhereOptionalIsUnauthenticated) {
  StartServer("registrar", false);
  absl::Status s = Call(*dir_, "");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << s;
}

TEST_F(MtlsTest, ClientFromAnotherCaIsRefused) {
  StartServer("verifier", true);
  // Trusts the right server CA but presents another CA's tenant certificate.
  auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(*dir_, "ca"),
                                      pki::CertPath(*other_, "tenant"),
                                      pki::KeyPath(*other_, "tenant"));
  ASSERT_TRUE(cfg.ok());
  cfg->target_name = "localhost";
  EXPECT_EQ(CallWith(*cfg).code(), absl::StatusCode::kUnavailable);
}

TEST_F(MtlsTest, ServerFromAnotherCaIsNotTrusted) {
  StartServer("verifier", true);
  EXPECT_EQ(Call(*other_, "tenant").code(), absl::StatusCode::kUnavailable);
}

// An agent's self-signed certificate, pinned by its caller, with the agent id
// as TLS name; the agent requires a client certificate from the Candor CA.
class AgentPinningTest : public MtlsTest {
 protected:
  void StartAgent(const std::string& agent_id) {
    auto pair = pki::MakeAgentCertificate(agent_id, absl::Hours(24));
    ASSERT_TRUE(pair.ok()) << pair.status();
    agent_cert_ = pair->cert_pem;
    rpc::TlsServerConfig cfg;
    cfg.cert_pem = pair->cert_pem;
    cfg.key_pem = std::move(pair->key_pem);
    auto ca = ReadFile(pki::CertPath(*dir_, "ca"));
    ASSERT_TRUE(ca.ok());
    cfg.client_ca_pem = *ca;
    auto server = rpc::StartServer(
        {"127.0.0.1:0", rpc::MakeServerCredentials(cfg),
         {rpc::ServiceEntry::Of<v1::VerifierService>(&service_)}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  absl::Status CallPinned(const std::string& pinned_pem,
                          const std::string& target) {
    auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(*dir_, "ca"),
                                        pki::CertPath(*dir_, "tenant"),
                                        pki::KeyPath(*dir_, "tenant"));
    if (!cfg.ok()) return cfg.status();
    cfg->root_pem = pinned_pem;
    cfg->target_name = target;
    return CallWith(*cfg);
  }
  std::string agent_cert_;
};

TEST_F(AgentPinningTest, PinnedCertificateAndAgentIdAsTargetName) {
  // A default agent id: 64 hex characters (longer than a DNS label may be).
  const std::string id(64, 'a');
  StartAgent(id);
  EXPECT_TRUE(CallPinned(agent_cert_, id).ok());
}

TEST_F(AgentPinningTest, AnotherAgentsCertificateOrNameIsRefused) {
  StartAgent("agent-1");
  auto other = pki::MakeAgentCertificate("agent-1", absl::Hours(24));
  ASSERT_TRUE(other.ok());
  // Same name, different key: not the pinned certificate.
  EXPECT_EQ(CallPinned(other->cert_pem, "agent-1").code(),
            absl::StatusCode::kUnavailable);
  // Right certificate, wrong agent id.
  EXPECT_EQ(CallPinned(agent_cert_, "agent-2").code(),
            absl::StatusCode::kUnavailable);
}

TEST(PkiTest, InitRefusesToOverwriteAndWritesPrivateKeys0600) {
  std::string dir = testing::TestTmpRoot() + "/pki-twice";
  pki::InitOptions o;
  o.dir = dir;
  auto first = pki::InitPki(o);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->files.size(), 10u);
  auto second = pki::InitPki(o);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  struct stat st;
  ASSERT_EQ(stat(pki::KeyPath(dir, "ca").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  o.overwrite = true;
  EXPECT_TRUE(pki::InitPki(o).ok());
}

}  // namespace
}  // namespace candor
