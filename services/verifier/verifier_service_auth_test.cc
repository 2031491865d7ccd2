// VerifierService role checks (every admin RPC asks for the admin role),
// WatchAttestations delegation and PushAttestation UNIMPLEMENTED.
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/verifier/verifier_service_test_fixture.h"

namespace candor::verifier::testing {
namespace {

using ::testing::HasSubstr;
using Stub = v1::VerifierService::Stub;

// A caller holding only a verifier certificate: allowed where the verifier
// role is, refused elsewhere (as the mTLS authorizer does).
class VerifierRoleCaller final : public rpc::Authorizer {
 public:
  absl::Status Check(const grpc::ServerContext&,
                     std::initializer_list<rpc::Role> allowed,
                     absl::string_view rpc) const override {
    for (rpc::Role r : allowed) {
      if (r == rpc::Role::kVerifier) return absl::OkStatus();
    }
    return absl::PermissionDeniedError(
        absl::StrCat(rpc, " needs another role than verifier"));
  }
};

TEST_F(VerifierServiceTest, NonAdminCallerIsRefused) {
  Start(std::make_unique<VerifierRoleCaller>());
  Register("node1");
  v1::Agent agent;
  grpc::Status s = AddAgent(AddRequest("node1"), &agent);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("VerifierService.AddAgent"));
  EXPECT_EQ(registrar_.calls(), 0);
  v1::ListPoliciesResponse list;
  EXPECT_EQ(
      Call(&Stub::ListPolicies, v1::ListPoliciesRequest(), &list).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::DeletePolicyResponse del;
  EXPECT_EQ(
      Call(&Stub::DeletePolicy, v1::DeletePolicyRequest(), &del).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Events().empty());
}

TEST_F(VerifierServiceTest, NoClientCertificateIsUnauthenticated) {
  bool watched = false;
  Start(rpc::MakeMtlsAuthorizer(),
        [&](grpc::ServerContext*, const v1::WatchAttestationsRequest*,
            grpc::ServerWriter<v1::WatchAttestationsResponse>*) {
          watched = true;
          return grpc::Status::OK;
        });
  v1::GetAgentRequest get;
  get.set_agent_id("node1");
  v1::Agent agent;
  EXPECT_EQ(Call(&Stub::GetAgent, get, &agent).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext ctx;
  auto reader = stub().WatchAttestations(&ctx, v1::WatchAttestationsRequest());
  v1::WatchAttestationsResponse msg;
  EXPECT_FALSE(reader->Read(&msg));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(watched);
}

TEST_F(VerifierServiceTest, WatchAttestationsCallsTheWatchFn) {
  Start(rpc::MakeInsecureAuthorizer(),
        [](grpc::ServerContext*, const v1::WatchAttestationsRequest* req,
           grpc::ServerWriter<v1::WatchAttestationsResponse>* writer) {
          v1::WatchAttestationsResponse r;
          r.mutable_heartbeat()->set_cursor(req->after_cursor());
          writer->Write(r);
          return grpc::Status::OK;
        });
  grpc::ClientContext ctx;
  v1::WatchAttestationsRequest req;
  req.set_after_cursor("c1-2a");
  auto reader = stub().WatchAttestations(&ctx, req);
  v1::WatchAttestationsResponse msg;
  ASSERT_TRUE(reader->Read(&msg));
  EXPECT_EQ(msg.heartbeat().cursor(), "c1-2a");
  EXPECT_FALSE(reader->Read(&msg));
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(VerifierServiceTest, WatchWithoutWatchFnIsUnimplemented) {
  grpc::ClientContext ctx;
  auto reader = stub().WatchAttestations(&ctx, v1::WatchAttestationsRequest());
  v1::WatchAttestationsResponse msg;
  EXPECT_FALSE(reader->Read(&msg));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(VerifierServiceTest, PushAttestationIsUnimplemented) {
  grpc::ClientContext ctx;
  auto stream = stub().PushAttestation(&ctx);
  v1::PushAttestationRequest hello;
  hello.mutable_hello()->set_agent_id("node1");
  stream->Write(hello);
  stream->WritesDone();
  v1::PushAttestationResponse msg;
  EXPECT_FALSE(stream->Read(&msg));
  grpc::Status s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_THAT(s.error_message(), HasSubstr("reserved"));
}

}  // namespace
}  // namespace candor::verifier::testing
