// The in-memory store keeps the AgentStore contract, on a fake clock.
#include "services/verifier/store/in_memory_agent_store.h"

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "services/verifier/store/agent_store_conformance.h"

namespace candor::verifier::testing {
namespace {

// A clock tests move by hand; starts at the real time.
struct FakeClock {
  absl::Mutex mu;
  absl::Time now = absl::Now();
};

INSTANTIATE_TEST_SUITE_P(InMemory, AgentStoreConformance,
                         ::testing::Values(AgentStoreFactory(
                             []() -> absl::StatusOr<AgentStoreUnderTest> {
                               auto clock = std::make_shared<FakeClock>();
                               AgentStoreUnderTest sut;
                               sut.store = std::make_unique<InMemoryAgentStore>(
                                   [clock] {
                                     absl::MutexLock lock(&clock->mu);
                                     return clock->now;
                                   });
                               sut.advance = [clock](absl::Duration d) {
                                 absl::MutexLock lock(&clock->mu);
                                 clock->now += d;
                                 return absl::OkStatus();
                               };
                               return sut;
                             })));

TEST(InMemoryAgentStoreTest, HeartbeatRecordsAddressAndClock) {
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  InMemoryAgentStore store([t] { return t; });
  EXPECT_EQ(store.GetReplica("r1").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store.Heartbeat("r1", "10.0.0.1:1").ok());
  ASSERT_TRUE(store.Heartbeat("r1", "10.0.0.1:2").ok());
  auto r = store.GetReplica("r1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->address, "10.0.0.1:2");
  EXPECT_EQ(r->heartbeat_at, t);
}

}  // namespace
}  // namespace candor::verifier::testing
