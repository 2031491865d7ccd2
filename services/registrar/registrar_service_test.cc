// The gRPC adapter in process (127.0.0.1:0, generated stub, in-memory store):
// codes and messages cross the wire unchanged, the per-source rate limit
// answers RESOURCE_EXHAUSTED, and the Authorizer hook decides per RPC.
#include "services/registrar/registrar_service.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/rpc/server.h"
#include "services/registrar/store/in_memory_store.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "services/registrar/testing/fake_clock.h"

namespace candor::registrar {
namespace {

using ::testing::HasSubstr;

// Admin RPCs refused, as the mTLS authorizer will for a non-admin caller.
class NoAdminAuthorizer final : public Authorizer {
 public:
  absl::Status Authorize(const grpc::ServerContext&,
                         RegistrarRpc rpc) const override {
    if (rpc == RegistrarRpc::kListRegisteredAgents ||
        rpc == RegistrarRpc::kDeleteRegisteredAgent) {
      return absl::PermissionDeniedError(
          absl::StrCat(RpcName(rpc), " needs an admin client certificate"));
    }
    return absl::OkStatus();
  }
};

class RegistrarServiceTest : public ::testing::Test {
 protected:
  void Start(const Authorizer* authorizer) {
    auto trust = EkTrust::Load({"", "", /*accept_any_ek=*/true});
    ASSERT_TRUE(trust.ok());
    trust_ = std::make_unique<EkTrust>(std::move(*trust));
    enrollment_ = std::make_unique<Enrollment>(&store_, trust_.get(), &clock_,
                                               EnrollmentOptions());
    limiter_ =
        std::make_unique<RateLimiter>(RateLimiter::Options{1, 2}, &clock_);
    service_ = std::make_unique<RegistrarServiceImpl>(
        enrollment_.get(), authorizer, limiter_.get(), limiter_.get());
    auto server = rpc::StartServer(
        {"127.0.0.1:0",
         nullptr,
         {rpc::ServiceEntry::Of<v1::RegistrarService>(service_.get())}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::RegistrarService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                            grpc::InsecureChannelCredentials()));
    testing::AgentOptions o;
    o.transport_key = false;
    auto agent = testing::MakeSoftwareAgent(o);
    ASSERT_TRUE(agent.ok());
    agent_ = std::make_unique<testing::SoftwareAgent>(std::move(*agent));
  }

  grpc::Status Register(v1::RegisterResponse* out) {
    grpc::ClientContext ctx;
    return stub_->Register(&ctx, agent_->MakeRegisterRequest(), out);
  }

  testing::FakeClock clock_;
  InMemoryRegistrarStore store_;
  InsecureAllowAllAuthorizer allow_all_;
  NoAdminAuthorizer no_admin_;
  std::unique_ptr<EkTrust> trust_;
  std::unique_ptr<Enrollment> enrollment_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<RegistrarServiceImpl> service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<v1::RegistrarService::Stub> stub_;
  std::unique_ptr<testing::SoftwareAgent> agent_;
};

TEST_F(RegistrarServiceTest, EnrollsGetsListsAndDeletesOverGrpc) {
  Start(&allow_all_);
  v1::RegisterResponse challenge;
  ASSERT_TRUE(Register(&challenge).ok());
  auto activate = agent_->MakeActivateRequest(challenge);
  ASSERT_TRUE(activate.ok());
  {
    grpc::ClientContext ctx;
    v1::RegisteredAgent out;
    ASSERT_TRUE(stub_->Activate(&ctx, *activate, &out).ok());
    EXPECT_EQ(out.state(), v1::REGISTRATION_STATE_ACTIVE);
    EXPECT_EQ(out.ek_trust(), "unverified");
  }
  {
    grpc::ClientContext ctx;
    v1::GetRegisteredAgentRequest req;
    req.set_agent_id(agent_->agent_id);
    v1::RegisteredAgent out;
    ASSERT_TRUE(stub_->GetRegisteredAgent(&ctx, req, &out).ok());
    EXPECT_EQ(out.identity().ak_name(), agent_->ak.name);
  }
  {
    grpc::ClientContext ctx;
    v1::ListRegisteredAgentsResponse out;
    ASSERT_TRUE(stub_->ListRegisteredAgents(&ctx, {}, &out).ok());
    EXPECT_EQ(out.agents_size(), 1);
  }
  {
    grpc::ClientContext ctx;
    v1::DeleteRegisteredAgentRequest req;
    req.set_agent_id(agent_->agent_id);
    v1::DeleteRegisteredAgentResponse out;
    ASSERT_TRUE(stub_->DeleteRegisteredAgent(&ctx, req, &out).ok());
  }
  grpc::ClientContext ctx;
  v1::GetRegisteredAgentRequest req;
  req.set_agent_id(agent_->agent_id);
  v1::RegisteredAgent out;
  grpc::Status s = stub_->GetRegisteredAgent(&ctx, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("is not registered"));
}

TEST_F(RegistrarServiceTest, RegisterIsRateLimitedPerSource) {
  Start(&allow_all_);
  v1::RegisterResponse out;
  EXPECT_TRUE(Register(&out).ok());
  EXPECT_TRUE(Register(&out).ok());
  grpc::Status s = Register(&out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(),
              HasSubstr("Register rate limit exceeded for 127.0.0.1"));
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Register(&out).ok());
}

TEST_F(RegistrarServiceTest, TheAuthorizerDecidesPerRpc) {
  Start(&no_admin_);
  v1::RegisterResponse challenge;
  EXPECT_TRUE(Register(&challenge).ok());
  grpc::ClientContext ctx;
  v1::ListRegisteredAgentsResponse out;
  grpc::Status s = stub_->ListRegisteredAgents(&ctx, {}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("needs an admin"));
}

TEST_F(RegistrarServiceTest, DomainErrorsKeepTheirCodes) {
  Start(&allow_all_);
  grpc::ClientContext ctx;
  v1::RegisterRequest req = agent_->MakeRegisterRequest();
  req.set_address("nowhere");
  v1::RegisterResponse out;
  grpc::Status s = stub_->Register(&ctx, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("address \"nowhere\""));
}

}  // namespace
}  // namespace candor::registrar
