// GrpcAgentConnector (plaintext) against an in-process AgentService on a
// loopback port.
#include "services/verifier/attestor/grpc_agent_connector.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "candor/v1/agent.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(20);

class FakeAgentService final : public v1::AgentService::Service {
 public:
  grpc::Status GetQuote(grpc::ServerContext*, const v1::GetQuoteRequest* req,
                        v1::GetQuoteResponse* resp) override {
    if (req->request().nonce() == "block") {
      release_.WaitForNotificationWithTimeout(kWait);
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "released");
    }
    if (req->request().nonce() == "bad") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "nonce is bad");
    }
    resp->mutable_evidence()->set_boot_id(req->request().nonce());
    return grpc::Status::OK;
  }
  grpc::Status DeliverKeyShare(grpc::ServerContext*,
                               const v1::DeliverKeyShareRequest* req,
                               v1::DeliverKeyShareResponse* resp) override {
    resp->mutable_result()->set_detail(req->encrypted_share());
    return grpc::Status::OK;
  }
  grpc::Status Notify(grpc::ServerContext*, const v1::NotifyRequest*,
                      v1::NotifyResponse* resp) override {
    resp->set_actions_run(2);
    return grpc::Status::OK;
  }
  absl::Notification release_;
};

// Waits for one `done` and keeps what it got and on which thread.
template <typename T>
struct Result {
  absl::Notification called;
  absl::StatusOr<T> value = absl::UnknownError("not called");
  std::thread::id thread;
  Done<T> Callback() {
    return [this](absl::StatusOr<T> v) {
      value = std::move(v);
      thread = std::this_thread::get_id();
      called.Notify();
    };
  }
  bool Wait() { return called.WaitForNotificationWithTimeout(kWait); }
};

class GrpcAgentConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                       &port_);
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    address_ = absl::StrCat("127.0.0.1:", port_);
  }
  void TearDown() override {
    if (!service_.release_.HasBeenNotified()) service_.release_.Notify();
    server_->Shutdown();
  }
  std::shared_ptr<AgentConnection> Connect() {
    auto c = connector_.Connect("a", address_, "");
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : nullptr;
  }
  static v1::GetQuoteRequest Quote(const std::string& nonce) {
    v1::GetQuoteRequest r;
    r.mutable_request()->set_nonce(nonce);
    return r;
  }

  FakeAgentService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  GrpcAgentConnector connector_{std::nullopt};
};

TEST_F(GrpcAgentConnectorTest, CallsAnswerOnAnotherThread) {
  std::shared_ptr<AgentConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<v1::GetQuoteResponse> quote;
  conn->GetQuote(Quote("n1"), absl::Seconds(10), quote.Callback());
  ASSERT_TRUE(quote.Wait());
  ASSERT_TRUE(quote.value.ok()) << quote.value.status();
  EXPECT_EQ(quote.value->evidence().boot_id(), "n1");
  EXPECT_NE(quote.thread, std::this_thread::get_id());

  Result<v1::DeliverKeyShareResponse> share;
  v1::DeliverKeyShareRequest req;
  req.set_encrypted_share("wrapped");
  conn->DeliverKeyShare(req, absl::Seconds(10), share.Callback());
  ASSERT_TRUE(share.Wait());
  ASSERT_TRUE(share.value.ok()) << share.value.status();
  EXPECT_EQ(share.value->result().detail(), "wrapped");

  Result<v1::NotifyResponse> notify;
  conn->Notify(v1::NotifyRequest(), absl::Seconds(10), notify.Callback());
  ASSERT_TRUE(notify.Wait());
  ASSERT_TRUE(notify.value.ok()) << notify.value.status();
  EXPECT_EQ(notify.value->actions_run(), 2u);
}

TEST_F(GrpcAgentConnectorTest, ErrorsKeepTheirCodeAndNameTheAgent) {
  std::shared_ptr<AgentConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<v1::GetQuoteResponse> bad;
  conn->GetQuote(Quote("bad"), absl::Seconds(10), bad.Callback());
  ASSERT_TRUE(bad.Wait());
  EXPECT_EQ(bad.value.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.value.status().message(), HasSubstr("agent a (GetQuote)"));
  EXPECT_THAT(bad.value.status().message(), HasSubstr("nonce is bad"));
}

TEST_F(GrpcAgentConnectorTest, SlowAgentHitsTheDeadline) {
  std::shared_ptr<AgentConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<v1::GetQuoteResponse> slow;
  conn->GetQuote(Quote("block"), absl::Milliseconds(200), slow.Callback());
  ASSERT_TRUE(slow.Wait());
  EXPECT_EQ(slow.value.status().code(), absl::StatusCode::kDeadlineExceeded);
  service_.release_.Notify();
}

TEST_F(GrpcAgentConnectorTest, AgentThatIsDownAnswersLikeUnreachable) {
  server_->Shutdown();  // nothing listens on the port anymore
  std::shared_ptr<AgentConnection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  Result<v1::GetQuoteResponse> down;
  conn->GetQuote(Quote("n"), absl::Seconds(2), down.Callback());
  ASSERT_TRUE(down.Wait());
  EXPECT_TRUE(down.value.status().code() == absl::StatusCode::kUnavailable ||
              down.value.status().code() == absl::StatusCode::kDeadlineExceeded)
      << down.value.status();
}

TEST(GrpcAgentConnectorTlsTest, UnparsableCertificateIsInvalidArgument) {
  rpc::TlsClientConfig client;
  GrpcAgentConnector connector(std::move(client));
  auto conn = connector.Connect("a", "127.0.0.1:1", "not a certificate");
  EXPECT_EQ(conn.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(conn.status().message(), HasSubstr("agent a"));
}

}  // namespace
}  // namespace candor::verifier
