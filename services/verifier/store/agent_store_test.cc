// Cursors, page tokens and the helpers of agent_store.h.
#include "services/verifier/store/agent_store.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

TEST(CursorTest, RoundTrips) {
  for (int64_t p : {int64_t{0}, int64_t{1}, int64_t{15}, int64_t{16},
                    int64_t{1} << 40, std::numeric_limits<int64_t>::max()}) {
    auto back = DecodeCursor(EncodeCursor(p));
    ASSERT_TRUE(back.ok()) << p << ": " << back.status();
    EXPECT_EQ(*back, p);
  }
  EXPECT_EQ(EncodeCursor(255), "c1-ff");
}

TEST(CursorTest, RejectsAnythingEncodeDoesNotProduce) {
  for (const char* bad : {"", "c1-", "c1-FF", "c1-0ff", "c1--1", "c2-1", "C1-1",
                          "c1-1 ", "c1-8000000000000000",
                          "c1-fffffffffffffffff", "1", "c1-g", "c1-\xff"}) {
    absl::Status s = DecodeCursor(bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.message()), HasSubstr("cursor")) << bad;
  }
  EXPECT_EQ(DecodeCursor(std::string("c1-1\0", 5)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AgentPageTokenTest, IsBoundToTheFilterSet) {
  const std::vector<v1::OperationalState> filter = {
      v1::OPERATIONAL_STATE_FAILED, v1::OPERATIONAL_STATE_PENDING};
  const std::string token = EncodeAgentPageToken(filter, "node:7");
  auto same = DecodeAgentPageToken(
      {v1::OPERATIONAL_STATE_PENDING, v1::OPERATIONAL_STATE_FAILED,
       v1::OPERATIONAL_STATE_PENDING},
      token);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(*same, "node:7");
  EXPECT_EQ(DecodeAgentPageToken({}, token).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*DecodeAgentPageToken(filter, ""), "");
  for (const char* bad : {"x", "YTE6", "YTI6OmE", "!!!"}) {
    EXPECT_EQ(DecodeAgentPageToken({}, bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(PageSizeTest, DefaultsAndCaps) {
  EXPECT_EQ(EffectiveAgentPageSize(0), 100u);
  EXPECT_EQ(EffectiveAgentPageSize(7), 7u);
  EXPECT_EQ(EffectiveAgentPageSize(5000), 1000u);
  EXPECT_EQ(EffectiveEventReadLimit(0), 1000u);
  EXPECT_EQ(EffectiveEventReadLimit(20000), 10000u);
}

TEST(ApplyCycleStatusTest, CopiesStatusAndKeepsConfiguration) {
  v1::Agent agent;
  agent.set_address("a:1");
  agent.mutable_runtime_policy()->set_name("p");
  agent.mutable_last_failure()->set_id("ima.not_in_policy");
  v1::Agent status;
  status.set_address("ignored:2");
  status.set_state(v1::OPERATIONAL_STATE_ATTESTING);
  status.set_next_ima_entry(42);
  status.mutable_v_share_delivered_at()->set_seconds(5);
  ApplyCycleStatus(status, agent);
  EXPECT_EQ(agent.address(), "a:1");
  EXPECT_EQ(agent.runtime_policy().name(), "p");
  EXPECT_EQ(agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(agent.next_ima_entry(), 42u);
  EXPECT_FALSE(agent.has_last_failure());
  EXPECT_EQ(agent.v_share_delivered_at().seconds(), 5);
}

TEST(TimestampTest, RoundTripsIncludingBeforeTheEpoch) {
  for (absl::Time t : {absl::FromUnixNanos(1700000000123456789),
                       absl::FromUnixNanos(-1500000000)}) {
    google::protobuf::Timestamp ts;
    ToTimestamp(t, &ts);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_EQ(FromTimestamp(ts), t);
  }
}

}  // namespace
}  // namespace candor::verifier
