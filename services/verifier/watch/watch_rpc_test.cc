// WatchAttestations through an in-process gRPC server whose handler is
// WatchRpc::Serve, on an InMemoryAgentStore and a running EventHub.
#include "services/verifier/watch/watch_rpc.h"

#include <grpcpp/grpcpp.h>

#include <memory>
#include <thread>
#include <vector>

#include "candor/v1/verifier.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/verifier/store/in_memory_agent_store.h"

namespace candor::verifier {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);
using Response = v1::WatchAttestationsResponse;

class WatchService final : public v1::VerifierService::Service {
 public:
  explicit WatchService(WatchRpc* rpc) : rpc_(rpc) {}
  grpc::Status WatchAttestations(
      grpc::ServerContext* context, const v1::WatchAttestationsRequest* request,
      grpc::ServerWriter<Response>* writer) override {
    return rpc_->Serve(context, request, writer);
  }

 private:
  WatchRpc* rpc_;
};

NewEvent Ev(const std::string& agent, v1::EventKind kind,
            v1::Severity severity = v1::SEVERITY_UNSPECIFIED) {
  NewEvent e;
  e.event.set_agent_id(agent);
  e.event.set_kind(kind);
  e.event.set_state(v1::OPERATIONAL_STATE_ATTESTING);
  e.event.set_severity(severity);
  return e;
}

class WatchRpcTest : public ::testing::Test {
 protected:
  void Serve(WatchRpc::Options options) {
    hub_ = std::make_unique<EventHub>(
        &store_, EventHub::Options{absl::Milliseconds(50), 1000});
    ASSERT_TRUE(hub_->Start().ok());
    rpc_ = std::make_unique<WatchRpc>(&store_, hub_.get(), options);
    service_ = std::make_unique<WatchService>(rpc_.get());
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::VerifierService::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  void TearDown() override {
    if (hub_ != nullptr) hub_->Stop();  // ends open streams (UNAVAILABLE)
    if (server_ != nullptr) server_->Shutdown();
  }

  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<Response>> reader;
  };
  std::unique_ptr<Stream> Open(const v1::WatchAttestationsRequest& request) {
    auto s = std::make_unique<Stream>();
    s->context.set_deadline(absl::ToChronoTime(absl::Now() + kWait));
    s->reader = stub_->WatchAttestations(&s->context, request);
    return s;
  }
  // Reads messages until `done(messages)` holds or the stream ends.
  std::vector<Response> ReadUntil(
      Stream& s,
      const std::function<bool(const std::vector<Response>&)>& done) {
    std::vector<Response> got;
    Response msg;
    while (!done(got) && s.reader->Read(&msg)) got.push_back(msg);
    return got;
  }
  static std::vector<Response> Events(const std::vector<Response>& msgs) {
    std::vector<Response> out;
    for (const Response& m : msgs) {
      if (m.has_event()) out.push_back(m);
    }
    return out;
  }
  // Reads until the first heartbeat: the server has subscribed, so the
  // stream is live (needs a short heartbeat option).
  void WaitLive(Stream& s) {
    std::vector<Response> got =
        ReadUntil(s, [](const std::vector<Response>& m) {
          return !m.empty() && m.back().has_heartbeat();
        });
    ASSERT_FALSE(got.empty());
    ASSERT_TRUE(got.back().has_heartbeat());
  }
  // Ends a stream early and returns its status.
  static grpc::Status Close(Stream& s) {
    s.context.TryCancel();
    Response msg;
    while (s.reader->Read(&msg)) {
    }
    return s.reader->Finish();
  }
  void Append(int n, const std::string& agent = "a") {
    std::vector<NewEvent> events;
    for (int i = 0; i < n; ++i) {
      events.push_back(Ev(agent, v1::EVENT_KIND_ATTESTATION_PASSED));
    }
    ASSERT_TRUE(store_.AppendEvents(events).ok());
    if (hub_ != nullptr) hub_->Poke();
  }

  InMemoryAgentStore store_;
  std::unique_ptr<EventHub> hub_;
  std::unique_ptr<WatchRpc> rpc_;
  std::unique_ptr<WatchService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::VerifierService::Stub> stub_;
};

TEST_F(WatchRpcTest, ResumeWhileCommittingLosesAndRepeatsNothing) {
  Append(50);
  WatchRpc::Options o;
  o.backlog_page = 7;  // the backlog is read in pages while events commit
  Serve(o);
  v1::WatchAttestationsRequest req;
  req.set_after_cursor(EncodeCursor(20));
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) Append(3);
  });
  auto s = Open(req);
  std::vector<Response> got = ReadUntil(*s, [](const std::vector<Response>& m) {
    return !m.empty() && m.back().has_event() &&
           m.back().event().cursor() == EncodeCursor(350);
  });
  writer.join();
  std::vector<Response> events = Events(got);
  ASSERT_EQ(events.size(), 330u);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].event().cursor(), EncodeCursor(21 + i)) << i;
    EXPECT_EQ(events[i].event().agent_id(), "a");
  }
  EXPECT_EQ(Close(*s).error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(WatchRpcTest, LiveStartSendsOnlyNewEvents) {
  Append(5);
  WatchRpc::Options o;
  o.heartbeat = absl::Milliseconds(50);
  Serve(o);
  auto s = Open(v1::WatchAttestationsRequest());
  WaitLive(*s);
  Append(2);
  std::vector<Response> got = ReadUntil(
      *s, [](const std::vector<Response>& m) { return Events(m).size() >= 2; });
  ASSERT_EQ(Events(got).size(), 2u);
  EXPECT_EQ(Events(got)[0].event().cursor(), EncodeCursor(6));
  EXPECT_EQ(Events(got)[1].event().cursor(), EncodeCursor(7));
  Close(*s);
}

TEST_F(WatchRpcTest, FromOldestAndTrimmedCursor) {
  // Ten old events, then ten young ones; retention trims the old.
  std::vector<NewEvent> old;
  for (int i = 0; i < 10; ++i) {
    NewEvent e = Ev("a", v1::EVENT_KIND_ATTESTATION_PASSED);
    ToTimestamp(absl::Now() - absl::Hours(48), e.event.mutable_time());
    old.push_back(e);
  }
  ASSERT_TRUE(store_.AppendEvents(old).ok());
  Append(10);
  ASSERT_EQ(*store_.TrimEvents(absl::Now() - absl::Hours(24)), 10);
  Serve({});

  v1::WatchAttestationsRequest oldest;
  oldest.set_from_oldest(true);
  auto s = Open(oldest);
  std::vector<Response> got = ReadUntil(*s, [](const std::vector<Response>& m) {
    return Events(m).size() >= 10;
  });
  ASSERT_EQ(Events(got).size(), 10u);
  EXPECT_EQ(Events(got).front().event().cursor(), EncodeCursor(11));
  EXPECT_EQ(Events(got).back().event().cursor(), EncodeCursor(20));
  Close(*s);

  v1::WatchAttestationsRequest trimmed;
  trimmed.set_after_cursor(EncodeCursor(5));
  auto t = Open(trimmed);
  EXPECT_TRUE(ReadUntil(*t, [](const auto&) { return false; }).empty());
  EXPECT_EQ(t->reader->Finish().error_code(), grpc::StatusCode::OUT_OF_RANGE);

  // Right at the trim point is fine: nothing was lost after it.
  v1::WatchAttestationsRequest edge;
  edge.set_after_cursor(EncodeCursor(10));
  auto u = Open(edge);
  got = ReadUntil(*u, [](const std::vector<Response>& m) {
    return Events(m).size() >= 10;
  });
  EXPECT_EQ(Events(got).front().event().cursor(), EncodeCursor(11));
  Close(*u);
}

TEST_F(WatchRpcTest, BadRequestsAreInvalidArgument) {
  Append(3);
  Serve({});
  for (const std::string& cursor :
       {std::string("garbage"), std::string("c1-zz"), EncodeCursor(999)}) {
    v1::WatchAttestationsRequest req;
    req.set_after_cursor(cursor);
    auto s = Open(req);
    ReadUntil(*s, [](const auto&) { return false; });
    grpc::Status st = s->reader->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cursor;
    EXPECT_NE(st.error_message().find("after_cursor"), std::string::npos)
        << st.error_message();
  }
  v1::WatchAttestationsRequest bad_kind;
  bad_kind.mutable_filter()->add_kinds(v1::EVENT_KIND_UNSPECIFIED);
  auto s = Open(bad_kind);
  ReadUntil(*s, [](const auto&) { return false; });
  grpc::Status st = s->reader->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("filter.kinds[0]"), std::string::npos);
}

TEST_F(WatchRpcTest, FilterAndHeartbeatsCarryTheScanPosition) {
  WatchRpc::Options o;
  o.heartbeat = absl::Milliseconds(100);
  Serve(o);
  v1::WatchAttestationsRequest req;
  req.set_from_oldest(true);
  req.mutable_filter()->add_agent_ids("b");
  req.mutable_filter()->add_kinds(v1::EVENT_KIND_ATTESTATION_FAILED);
  req.mutable_filter()->set_min_severity(v1::SEVERITY_ERROR);
  ASSERT_TRUE(store_
                  .AppendEvents({
                      Ev("a", v1::EVENT_KIND_ATTESTATION_FAILED,
                         v1::SEVERITY_CRITICAL),                   // 1
                      Ev("b", v1::EVENT_KIND_ATTESTATION_PASSED),  // 2
                      Ev("b", v1::EVENT_KIND_ATTESTATION_FAILED,
                         v1::SEVERITY_WARNING),  // 3
                      Ev("b", v1::EVENT_KIND_ATTESTATION_FAILED,
                         v1::SEVERITY_ERROR),                      // 4
                      Ev("a", v1::EVENT_KIND_ATTESTATION_PASSED),  // 5
                  })
                  .ok());
  hub_->Poke();
  auto s = Open(req);
  // An idle stream heartbeats with the position scanned so far (5), even
  // though the last matching event is 4.
  std::vector<Response> got = ReadUntil(*s, [](const std::vector<Response>& m) {
    return !m.empty() && m.back().has_heartbeat() &&
           m.back().heartbeat().cursor() == EncodeCursor(5);
  });
  std::vector<Response> events = Events(got);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event().cursor(), EncodeCursor(4));
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(got.back().has_heartbeat());
  EXPECT_TRUE(got.back().heartbeat().has_time());
  // Later non-matching events move the heartbeat cursor on.
  Append(2, "a");
  got = ReadUntil(*s, [](const std::vector<Response>& m) {
    return !m.empty() && m.back().has_heartbeat() &&
           m.back().heartbeat().cursor() == EncodeCursor(7);
  });
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(Events(got).empty());
  EXPECT_EQ(got.back().heartbeat().cursor(), EncodeCursor(7));
  Close(*s);
}

TEST_F(WatchRpcTest, HeartbeatOnAnEmptyStreamCarriesPositionZero) {
  WatchRpc::Options o;
  o.heartbeat = absl::Milliseconds(50);
  Serve(o);
  auto s = Open(v1::WatchAttestationsRequest());
  std::vector<Response> got =
      ReadUntil(*s, [](const std::vector<Response>& m) { return !m.empty(); });
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].has_heartbeat());
  EXPECT_EQ(got[0].heartbeat().cursor(), EncodeCursor(0));
  Close(*s);
}

TEST_F(WatchRpcTest, HubStopEndsStreamsWithUnavailable) {
  WatchRpc::Options o;
  o.heartbeat = absl::Milliseconds(50);
  Serve(o);
  auto s = Open(v1::WatchAttestationsRequest());
  WaitLive(*s);
  Append(1);
  std::vector<Response> got = ReadUntil(
      *s, [](const std::vector<Response>& m) { return !Events(m).empty(); });
  ASSERT_EQ(Events(got).size(), 1u);
  hub_->Stop();
  ReadUntil(*s, [](const auto&) { return false; });
  EXPECT_EQ(s->reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(WatchRpcTest, ReaderBehindByMoreThanTheQueueIsResourceExhausted) {
  WatchRpc::Options o;
  o.heartbeat = absl::Milliseconds(50);
  o.max_queue = 2;
  Serve(o);
  auto s = Open(v1::WatchAttestationsRequest());
  WaitLive(*s);
  Append(5);  // one batch, more than the stream may buffer
  ReadUntil(*s, [](const auto&) { return false; });
  grpc::Status st = s->reader->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(st.error_message().find("resume from the last cursor"),
            std::string::npos)
      << st.error_message();
}

}  // namespace
}  // namespace candor::verifier
