#include "services/verifier/watch/event_hub.h"

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/verifier/store/in_memory_agent_store.h"

namespace candor::verifier {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

NewEvent Ev(const std::string& agent) {
  NewEvent e;
  e.event.set_agent_id(agent);
  e.event.set_kind(v1::EVENT_KIND_ATTESTATION_PASSED);
  e.event.set_state(v1::OPERATIONAL_STATE_ATTESTING);
  return e;
}

// Takes events from `sub` until position `last` was seen (or the deadline /
// an error); returns the positions in the order received.
std::vector<int64_t> Drain(EventHub::Subscription& sub, int64_t last,
                           absl::Status* status = nullptr) {
  std::vector<int64_t> got;
  const absl::Time deadline = absl::Now() + kWait;
  while ((got.empty() || got.back() < last) && absl::Now() < deadline) {
    absl::StatusOr<std::vector<StoredEvent>> batch =
        sub.Next(deadline - absl::Now());
    if (!batch.ok()) {
      if (status != nullptr) *status = batch.status();
      break;
    }
    for (const StoredEvent& e : *batch) got.push_back(e.position);
  }
  return got;
}

std::vector<int64_t> Range(int64_t first, int64_t last) {
  std::vector<int64_t> v;
  for (int64_t p = first; p <= last; ++p) v.push_back(p);
  return v;
}

TEST(EventHubTest, SubscriptionGetsEachLaterEventOnceInOrder) {
  InMemoryAgentStore store;
  ASSERT_TRUE(store.AppendEvents({Ev("old"), Ev("old")}).ok());
  EventHub hub(&store, EventHub::Options{absl::Seconds(60), 7});
  absl::Mutex mu;
  std::vector<int64_t> heard;
  hub.AddListener([&](const std::vector<StoredEvent>& batch) {
    absl::MutexLock lock(&mu);
    for (const StoredEvent& e : batch) heard.push_back(e.position);
  });
  ASSERT_TRUE(hub.Start().ok());
  EXPECT_EQ(hub.published(), 2);
  std::unique_ptr<EventHub::Subscription> sub = hub.Subscribe();
  EXPECT_EQ(sub->start_position(), 2);
  // Written concurrently in small batches (read_batch 7 forces pages).
  std::thread writer([&] {
    for (int i = 0; i < 60; ++i) {
      ASSERT_TRUE(store.AppendEvents({Ev("a"), Ev("b"), Ev("c")}).ok());
      hub.Poke();
    }
  });
  std::vector<int64_t> got = Drain(*sub, 182);
  writer.join();
  EXPECT_EQ(got, Range(3, 182));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(heard, Range(3, 182));  // listeners too, in order
  EXPECT_EQ(sub->scanned(), 182);
}

TEST(EventHubTest, EventsOfOtherWritersAreFoundByPolling) {
  InMemoryAgentStore store;
  EventHub hub(&store, EventHub::Options{absl::Milliseconds(20), 1000});
  ASSERT_TRUE(hub.Start().ok());
  std::unique_ptr<EventHub::Subscription> sub = hub.Subscribe();
  ASSERT_TRUE(store.AppendEvents({Ev("a")}).ok());  // no Poke
  EXPECT_EQ(Drain(*sub, 1), Range(1, 1));
}

TEST(EventHubTest, SlowSubscriberIsClosedWithResourceExhausted) {
  InMemoryAgentStore store;
  EventHub hub(&store, EventHub::Options{absl::Seconds(60), 1000});
  ASSERT_TRUE(hub.Start().ok());
  std::unique_ptr<EventHub::Subscription> slow = hub.Subscribe(3);
  std::unique_ptr<EventHub::Subscription> fast = hub.Subscribe();
  ASSERT_TRUE(store.AppendEvents({Ev("a"), Ev("a"), Ev("a"), Ev("a")}).ok());
  hub.Poke();
  EXPECT_EQ(Drain(*fast, 4), Range(1, 4));
  absl::StatusOr<std::vector<StoredEvent>> next = slow->Next(kWait);
  EXPECT_EQ(next.status().code(), absl::StatusCode::kResourceExhausted);
  // Others are not affected.
  ASSERT_TRUE(store.AppendEvents({Ev("b")}).ok());
  hub.Poke();
  EXPECT_EQ(Drain(*fast, 5), Range(5, 5));
}

TEST(EventHubTest, StopClosesSubscriptionsAfterTheirQueuedEvents) {
  InMemoryAgentStore store;
  EventHub hub(&store, EventHub::Options{absl::Seconds(60), 1000});
  ASSERT_TRUE(hub.Start().ok());
  std::unique_ptr<EventHub::Subscription> sub = hub.Subscribe();
  ASSERT_TRUE(store.AppendEvents({Ev("a")}).ok());
  hub.Poke();
  // Wait until the hub published it (a second subscription sees it).
  std::unique_ptr<EventHub::Subscription> probe = hub.Subscribe();
  const absl::Time deadline = absl::Now() + kWait;
  while (hub.published() < 1 && absl::Now() < deadline) {
    ASSERT_TRUE(probe->Next(absl::Milliseconds(100)).ok());
  }
  ASSERT_EQ(hub.published(), 1);
  hub.Stop();
  absl::StatusOr<std::vector<StoredEvent>> first = sub->Next(kWait);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 1u);
  absl::StatusOr<std::vector<StoredEvent>> closed = sub->Next(kWait);
  EXPECT_EQ(closed.status().code(), absl::StatusCode::kUnavailable);
  // A subscription made after Stop is closed at once.
  EXPECT_EQ(hub.Subscribe()->Next(kWait).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(EventHubTest, NextTimesOutEmpty) {
  InMemoryAgentStore store;
  EventHub hub(&store, EventHub::Options{absl::Seconds(60), 1000});
  ASSERT_TRUE(hub.Start().ok());
  std::unique_ptr<EventHub::Subscription> sub = hub.Subscribe();
  absl::StatusOr<std::vector<StoredEvent>> next =
      sub->Next(absl::Milliseconds(20));
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->empty());
  EXPECT_EQ(hub.subscribers(), 1);
  sub.reset();
  EXPECT_EQ(hub.subscribers(), 0);
}

}  // namespace
}  // namespace candor::verifier
