// The service over a real (plaintext, insecure-authorizer) gRPC server:
// the :authority picks the virtual agent, unknown names and stopped agents
// answer like the contract says, key shares and notices are counted.
#include "tools/agent_sim/sim_service.h"

#include <grpcpp/grpcpp.h>

#include <memory>

#include "gtest/gtest.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/server.h"
#include "tools/agent_sim/fleet.h"

namespace candor::agent_sim {
namespace {

class SimServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions o;
    o.count = 3;
    o.ima_initial = 10;
    o.ima_pool = 10;
    o.id_prefix = "svc";
    auto fleet = Fleet::Create(o);
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet_ = std::move(*fleet);
    authorizer_ = rpc::MakeInsecureAuthorizer();
    service_ = std::make_unique<SimAgentService>(fleet_->directory(),
                                                 *authorizer_, stats_);
    auto server = rpc::StartServer(
        {"127.0.0.1:0",
         nullptr,
         {rpc::ServiceEntry::Of<v1::AgentService>(service_.get())}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::AgentService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  grpc::Status Identity(const std::string& authority,
                        v1::GetIdentityResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_authority(authority);
    return stub_->GetIdentity(&ctx, v1::GetIdentityRequest(), out);
  }

  std::unique_ptr<Fleet> fleet_;
  SimStats stats_;
  std::unique_ptr<rpc::Authorizer> authorizer_;
  std::unique_ptr<SimAgentService> service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<v1::AgentService::Stub> stub_;
};

TEST_F(SimServiceTest, AuthorityPicksTheAgent) {
  v1::GetIdentityResponse r;
  ASSERT_TRUE(Identity("sim-svc-00002", &r).ok());
  EXPECT_EQ(r.identity().agent_id(), "sim-svc-00002");
  ASSERT_TRUE(Identity("sim-svc-00003:9100", &r).ok());
  EXPECT_EQ(r.identity().agent_id(), "sim-svc-00003");
  EXPECT_EQ(Identity("sim-svc-00009", &r).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(stats_.get_identity, 2u);
  EXPECT_EQ(stats_.unknown_agent, 1u);
  fleet_->Lookup("2")->Stop();
  EXPECT_EQ(Identity("sim-svc-00002", &r).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(stats_.unavailable, 1u);
}

TEST_F(SimServiceTest, KeySharesAndNoticesAreCheckedAndCounted) {
  v1::DeliverKeyShareRequest share;
  share.set_kind(v1::KEY_SHARE_KIND_V);
  share.set_encrypted_share(std::string(256, 'v'));
  v1::DeliverKeyShareResponse resp;
  {
    grpc::ClientContext ctx;
    ctx.set_authority("sim-svc-00001");
    ASSERT_TRUE(stub_->DeliverKeyShare(&ctx, share, &resp).ok());
    EXPECT_FALSE(resp.result().key_recombined());
  }
  share.set_auth_tag("x");
  {
    grpc::ClientContext ctx;
    ctx.set_authority("sim-svc-00001");
    EXPECT_EQ(stub_->DeliverKeyShare(&ctx, share, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  share.set_kind(v1::KEY_SHARE_KIND_UNSPECIFIED);
  {
    grpc::ClientContext ctx;
    ctx.set_authority("sim-svc-00001");
    EXPECT_EQ(stub_->DeliverKeyShare(&ctx, share, &resp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  v1::NotifyRequest notify;
  v1::NotifyResponse nresp;
  {
    grpc::ClientContext ctx;
    ctx.set_authority("sim-svc-00001");
    EXPECT_EQ(stub_->Notify(&ctx, notify, &nresp).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  notify.mutable_notice()->set_message("m");
  {
    grpc::ClientContext ctx;
    ctx.set_authority("sim-svc-00001");
    ASSERT_TRUE(stub_->Notify(&ctx, notify, &nresp).ok());
  }
  EXPECT_EQ(stats_.key_shares, 1u);
  EXPECT_EQ(stats_.notifies, 1u);
}

TEST(AgentIdFromAuthorityTest, StripsAPortOnly) {
  EXPECT_EQ(AgentIdFromAuthority("sim-a-00001"), "sim-a-00001");
  EXPECT_EQ(AgentIdFromAuthority("sim-a-00001:443"), "sim-a-00001");
  EXPECT_EQ(AgentIdFromAuthority("sim-a-00001:x"), "sim-a-00001:x");
}

}  // namespace
}  // namespace candor::agent_sim
