// The registrar behind mTLS (certificates from lib/pki, as `tenant certs
// init` makes them; client certificates optional at the TLS layer): agents
// register and activate without a Candor certificate, GetRegisteredAgent
// needs a verifier or admin certificate, List and Delete an admin one.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pki/pki.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/server.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "services/registrar/authorizer.h"
#include "services/registrar/clock.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/registrar_service.h"
#include "services/registrar/store/in_memory_store.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "tests/harness/resources.h"

namespace candor::registrar {
namespace {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

class RegistrarMtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = candor::testing::TestTmpRoot() + "/registrar-pki";
    pki::InitOptions o;
    o.dir = dir_;
    o.overwrite = true;
    ASSERT_TRUE(pki::InitPki(o).ok());
    auto trust = EkTrust::Load({"", "", /*accept_any_ek=*/true});
    ASSERT_TRUE(trust.ok());
    trust_ = std::make_unique<EkTrust>(std::move(*trust));
    enrollment_ = std::make_unique<Enrollment>(&store_, trust_.get(),
                                               Clock::Real(),
                                               EnrollmentOptions());
    service_ = std::make_unique<RegistrarServiceImpl>(
        enrollment_.get(), &authorizer_, nullptr, nullptr);
    auto cfg = rpc::LoadTlsServerConfig(pki::CertPath(dir_, "registrar"),
                                        pki::KeyPath(dir_, "registrar"),
                                        pki::CertPath(dir_, "ca"));
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    cfg->require_client_cert = false;
    auto server = rpc::StartServer(
        {"127.0.0.1:0", rpc::MakeServerCredentials(*cfg),
         {rpc::ServiceEntry::Of<v1::RegistrarService>(service_.get())}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    testing::AgentOptions a;
    a.transport_key = false;
    auto agent = testing::MakeSoftwareAgent(a);
    ASSERT_TRUE(agent.ok());
    agent_ = std::make_unique<testing::SoftwareAgent>(std::move(*agent));
  }

  // A stub for `client` ("" = no client certificate, as an agent).
  std::unique_ptr<v1::RegistrarService::Stub> Stub(const std::string& client) {
    auto cfg = rpc::LoadTlsClientConfig(
        pki::CertPath(dir_, "ca"),
        client.empty() ? "" : pki::CertPath(dir_, client),
        client.empty() ? "" : pki::KeyPath(dir_, client));
    EXPECT_TRUE(cfg.ok()) << cfg.status();
    cfg->target_name = "localhost";
    return v1::RegistrarService::NewStub(
        rpc::Dial(absl::StrCat("127.0.0.1:", server_->port()), &*cfg));
  }
  static void Deadline(grpc::ClientContext& ctx) {
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
  }
  absl::Status Get(const std::string& client) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::GetRegisteredAgentRequest req;
    req.set_agent_id(agent_->agent_id);
    v1::RegisteredAgent out;
    return FromGrpcStatus(Stub(client)->GetRegisteredAgent(&ctx, req, &out));
  }
  absl::Status List(const std::string& client) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::ListRegisteredAgentsResponse out;
    return FromGrpcStatus(Stub(client)->ListRegisteredAgents(&ctx, {}, &out));
  }
  absl::Status Delete(const std::string& client) {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::DeleteRegisteredAgentRequest req;
    req.set_agent_id(agent_->agent_id);
    v1::DeleteRegisteredAgentResponse out;
    return FromGrpcStatus(
        Stub(client)->DeleteRegisteredAgent(&ctx, req, &out));
  }

  std::string dir_;
  InMemoryRegistrarStore store_;
  std::unique_ptr<EkTrust> trust_;
  std::unique_ptr<Enrollment> enrollment_;
  std::unique_ptr<rpc::Authorizer> roles_ = rpc::MakeMtlsAuthorizer();
  RoleAuthorizer authorizer_{roles_.get()};
  std::unique_ptr<RegistrarServiceImpl> service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<testing::SoftwareAgent> agent_;
};

TEST_F(RegistrarMtlsTest, AgentsEnrollWithoutACandorCertificate) {
  auto agent_stub = Stub("");
  v1::RegisterResponse challenge;
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    grpc::Status s =
        agent_stub->Register(&ctx, agent_->MakeRegisterRequest(), &challenge);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto activate = agent_->MakeActivateRequest(challenge);
  ASSERT_TRUE(activate.ok());
  grpc::ClientContext ctx;
  Deadline(ctx);
  v1::RegisteredAgent out;
  grpc::Status s = agent_stub->Activate(&ctx, *activate, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::REGISTRATION_STATE_ACTIVE);
}

TEST_F(RegistrarMtlsTest, ReadsNeedAVerifierOrAdminCertificate) {
  ASSERT_TRUE(enrollment_->Register(agent_->MakeRegisterRequest()).ok());
  absl::Status s = Get("");
  EXPECT_EQ(s.code(), Code::kUnauthenticated) << s;
  EXPECT_TRUE(Get("verifier").ok());
  EXPECT_TRUE(Get("tenant").ok());
  EXPECT_EQ(Get("revocation").code(), Code::kPermissionDenied);
}

TEST_F(RegistrarMtlsTest, ListAndDeleteNeedAnAdminCertificate) {
  ASSERT_TRUE(enrollment_->Register(agent_->MakeRegisterRequest()).ok());
  EXPECT_EQ(List("").code(), Code::kUnauthenticated);
  absl::Status s = List("verifier");
  EXPECT_EQ(s.code(), Code::kPermissionDenied) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("admin"));
  EXPECT_EQ(Delete("verifier").code(), Code::kPermissionDenied);
  EXPECT_TRUE(List("tenant").ok());
  EXPECT_TRUE(Delete("tenant").ok());
  EXPECT_EQ(Get("tenant").code(), Code::kNotFound);
}

}  // namespace
}  // namespace candor::registrar
