// GrpcRegistrarClient against an in-process RegistrarService (plaintext):
// the registration comes back, and the registrar's errors are mapped as
// registrar_client.h says.
#include "services/verifier/admin/registrar_client.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/rpc/server.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

// Answers GetRegisteredAgent with `status`, or a registration when OK.
class ScriptedRegistrar final : public v1::RegistrarService::Service {
 public:
  grpc::Status status = grpc::Status::OK;
  grpc::Status GetRegisteredAgent(grpc::ServerContext*,
                                  const v1::GetRegisteredAgentRequest* req,
                                  v1::RegisteredAgent* out) override {
    if (!status.ok()) return status;
    out->mutable_identity()->set_agent_id(req->agent_id());
    out->set_state(v1::REGISTRATION_STATE_ACTIVE);
    out->set_address("node1:9002");
    return grpc::Status::OK;
  }
};

class RegistrarClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = rpc::StartServer(
        {"127.0.0.1:0",
         nullptr,
         {rpc::ServiceEntry::Of<v1::RegistrarService>(&registrar_)}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
    client_ = std::make_unique<GrpcRegistrarClient>(address_, nullptr,
                                                    absl::Seconds(5));
  }

  ScriptedRegistrar registrar_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::string address_;
  std::unique_ptr<GrpcRegistrarClient> client_;
};

TEST_F(RegistrarClientTest, ReturnsTheRegistration) {
  auto r = client_->GetRegisteredAgent("node1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->identity().agent_id(), "node1");
  EXPECT_EQ(r->address(), "node1:9002");
}

TEST_F(RegistrarClientTest, NotFoundIsNotRegistered) {
  registrar_.status = grpc::Status(grpc::StatusCode::NOT_FOUND, "no such");
  auto r = client_->GetRegisteredAgent("node1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(),
              HasSubstr("agent node1 is not registered at the registrar"));
}

TEST_F(RegistrarClientTest, RefusedCertificateIsInternal) {
  registrar_.status =
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not a verifier");
  auto r = client_->GetRegisteredAgent("node1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr(address_));
}

TEST_F(RegistrarClientTest, OtherCodesKeptWithTheRegistrarNamed) {
  registrar_.status =
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "malformed id");
  auto r = client_->GetRegisteredAgent("node1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr(address_));
  EXPECT_THAT(r.status().message(), HasSubstr("malformed id"));
}

TEST_F(RegistrarClientTest, UnreachableIsUnavailable) {
  server_->Shutdown(absl::ZeroDuration());
  server_.reset();
  GrpcRegistrarClient client(address_, nullptr, absl::Seconds(2));
  auto r = client.GetRegisteredAgent("node1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(
      r.status().message(),
      HasSubstr(absl::StrCat("registrar at ", address_, " unreachable: ")));
}

TEST(MapRegistrarErrorTest, DeadlineIsUnavailable) {
  absl::Status s = MapRegistrarError(
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline"), "reg:8890",
      "node1");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("registrar at reg:8890 unreachable"));
}

}  // namespace
}  // namespace candor::verifier
