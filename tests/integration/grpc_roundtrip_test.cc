// An in-process gRPC round trip on a candor.v1 service, started the way every
// Candor server starts (lib/rpc): unary and server-streaming calls over
// 127.0.0.1, status codes kept end to end, the message-size limit applied,
// the health service and server reflection answering, and the generated gmock
// stub usable by client code.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "candor/v1/verifier_mock.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "lib/rpc/server.h"
#include "lib/status/grpc_status.h"

namespace candor {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::Return;
using ::testing::SetArgPointee;
using v1::Agent;
using v1::GetAgentRequest;
using v1::WatchAttestationsRequest;
using v1::WatchAttestationsResponse;

// A stand-in VerifierService with just enough behaviour to exercise the
// transport: one known agent, and a stream of events after a cursor.
class TestVerifier final : public v1::VerifierService::Service {
 public:
  grpc::Status GetAgent(grpc::ServerContext*, const GetAgentRequest* req,
                        Agent* resp) override {
    if (req->agent_id() != "agent-1") {
      return ToGrpcStatus(absl::NotFoundError(
          absl::StrCat("agent '", req->agent_id(), "' is not attested here")));
    }
    resp->set_agent_id("agent-1");
    resp->set_state(v1::OPERATIONAL_STATE_ATTESTING);
    resp->set_address(std::string(5 * 1024 * 1024, 'x'));  // > gRPC's 4 MiB
    return grpc::Status::OK;
  }

  grpc::Status WatchAttestations(
      grpc::ServerContext*, const WatchAttestationsRequest* req,
      grpc::ServerWriter<WatchAttestationsResponse>* writer) override {
    int first = req->after_cursor().empty() ? 1 : std::stoi(req->after_cursor()) + 1;
    for (int i = first; i < first + 3; ++i) {
      WatchAttestationsResponse r;
      r.mutable_event()->set_cursor(std::to_string(i));
      r.mutable_event()->set_agent_id("agent-1");
      r.mutable_event()->set_kind(v1::EVENT_KIND_ATTESTATION_PASSED);
      if (!writer->Write(r)) break;
    }
    return grpc::Status::OK;
  }
};

class GrpcRoundTripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = rpc::StartServer(
        {"127.0.0.1:0", nullptr,
         {rpc::ServiceEntry::Of<v1::VerifierService>(&service_)}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()),
        grpc::InsecureChannelCredentials(), rpc::ClientChannelArguments());
    stub_ = v1::VerifierService::NewStub(channel_);
  }

  TestVerifier service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::VerifierService::Stub> stub_;
};

TEST_F(GrpcRoundTripTest, UnaryCallWithLargeMessage) {
  grpc::ClientContext ctx;
  GetAgentRequest req;
  req.set_agent_id("agent-1");
  Agent agent;
  grpc::Status st = stub_->GetAgent(&ctx, req, &agent);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(agent.address().size(), 5u * 1024 * 1024);
}

TEST_F(GrpcRoundTripTest, ErrorCodeAndMessageSurviveTheWire) {
  grpc::ClientContext ctx;
  GetAgentRequest req;
  req.set_agent_id("nope");
  Agent agent;
  absl::Status s = FromGrpcStatus(stub_->GetAgent(&ctx, req, &agent),
                                  "VerifierService.GetAgent");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "VerifierService.GetAgent: agent 'nope' is not attested here");
}

TEST_F(GrpcRoundTripTest, ServerStreamingResumesAfterCursor) {
  grpc::ClientContext ctx;
  WatchAttestationsRequest req;
  req.set_after_cursor("7");
  auto reader = stub_->WatchAttestations(&ctx, req);
  std::vector<std::string> cursors;
  WatchAttestationsResponse r;
  while (reader->Read(&r)) cursors.push_back(r.event().cursor());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(cursors, (std::vector<std::string>{"8", "9", "10"}));
}

TEST_F(GrpcRoundTripTest, HealthServiceAnswers) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service : {"", "candor.v1.VerifierService"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("candor.v1.NoSuchService");
  grpc::health::v1::HealthCheckResponse resp;
  EXPECT_EQ(health->Check(&ctx, req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(GrpcRoundTripTest, HealthGoesNotServingOnShutdown) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  server_->Shutdown(absl::Seconds(1));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status st = health->Check(&ctx, req, &resp);
  EXPECT_FALSE(st.ok() && resp.status() ==
                              grpc::health::v1::HealthCheckResponse::SERVING);
}

// Server reflection, spoken with the descriptors libgrpc++_reflection
// registers in the generated pool (Debian ships no reflection .proto).
TEST_F(GrpcRoundTripTest, ReflectionListsTheServices) {
  namespace pb = google::protobuf;
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  const pb::Descriptor* req_desc = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionRequest");
  const pb::Descriptor* resp_desc = pool->FindMessageTypeByName(
      "grpc.reflection.v1alpha.ServerReflectionResponse");
  ASSERT_NE(req_desc, nullptr);
  ASSERT_NE(resp_desc, nullptr);
  pb::DynamicMessageFactory factory(pool);
  std::unique_ptr<pb::Message> request(factory.GetPrototype(req_desc)->New());
  request->GetReflection()->SetString(
      request.get(), req_desc->FindFieldByName("list_services"), "*");

  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  auto call = stub.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  auto await = [&cq](intptr_t want) {
    void* tag = nullptr;
    bool ok = false;
    return cq.Next(&tag, &ok) && reinterpret_cast<intptr_t>(tag) == want && ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(await(1));
  std::string bytes = request->SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(await(2));
  call->WritesDone(reinterpret_cast<void*>(3));
  ASSERT_TRUE(await(3));
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(4));
  ASSERT_TRUE(await(4));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(await(5));
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string resp_bytes;
  for (const auto& s : slices) {
    resp_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<pb::Message> response(factory.GetPrototype(resp_desc)->New());
  ASSERT_TRUE(response->ParseFromString(resp_bytes));
  const pb::FieldDescriptor* list_field =
      resp_desc->FindFieldByName("list_services_response");
  const pb::Message& list =
      response->GetReflection()->GetMessage(*response, list_field);
  const pb::FieldDescriptor* service_field =
      list.GetDescriptor()->FindFieldByName("service");
  std::set<std::string> names;
  for (int i = 0; i < list.GetReflection()->FieldSize(list, service_field); ++i) {
    const pb::Message& svc =
        list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.insert(svc.GetReflection()->GetString(
        svc, svc.GetDescriptor()->FindFieldByName("name")));
  }
  EXPECT_TRUE(names.count("candor.v1.VerifierService")) << names.size();
  EXPECT_TRUE(names.count("grpc.health.v1.Health"));
  EXPECT_TRUE(names.count("grpc.reflection.v1alpha.ServerReflection"));
}

TEST(GeneratedMockTest, ClientCodeCanUseTheMockStub) {
  v1::MockVerifierServiceStub stub;
  Agent agent;
  agent.set_agent_id("agent-9");
  agent.set_state(v1::OPERATIONAL_STATE_FAILED);
  EXPECT_CALL(stub, GetAgent(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(agent), Return(grpc::Status::OK)));
  grpc::ClientContext ctx;
  Agent got;
  v1::VerifierService::StubInterface& iface = stub;
  ASSERT_TRUE(iface.GetAgent(&ctx, GetAgentRequest(), &got).ok());
  EXPECT_EQ(got.state(), v1::OPERATIONAL_STATE_FAILED);
}

}  // namespace
}  // namespace candor
