#include "services/verifier/attestor/commit_queue.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "services/verifier/store/in_memory_agent_store.h"

namespace candor::verifier {
namespace {

constexpr absl::Duration kWait = absl::Seconds(20);

class CommitQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"x", "y", "z"}) {
      AgentRecord r;
      r.agent.set_agent_id(id);
      r.agent.set_state(v1::OPERATIONAL_STATE_PENDING);
      ASSERT_TRUE(store_.Add(r, {}).ok());
    }
    ASSERT_TRUE(store_.ClaimLeases("r1", absl::Hours(1), 10, nullptr).ok());
  }
  CycleCommit Commit(const std::string& id, int64_t generation = 1) {
    CycleCommit c;
    c.agent_id = id;
    c.expected_generation = generation;
    c.status.set_state(v1::OPERATIONAL_STATE_ATTESTING);
    c.status.set_attestation_count(1);
    NewEvent e;
    e.event.set_agent_id(id);
    e.event.set_kind(v1::EVENT_KIND_ATTESTATION_PASSED);
    c.events.push_back(e);
    return c;
  }
  // A done callback recording the outcome under `mu_`.
  CommitQueue::DoneFn Record(const std::string& id) {
    return [this, id](absl::StatusOr<CommitOutcome> o) {
      absl::MutexLock lock(&mu_);
      order_.push_back(id);
      outcomes_.push_back(std::move(o));
    };
  }
  bool WaitDone(size_t n) {
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return order_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), kWait);
  }
  // after_commit runs after the batch's done callbacks.
  bool WaitBatches(size_t n) {
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return batches_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), kWait);
  }
  std::function<void(size_t, absl::Duration)> Batches() {
    return [this](size_t n, absl::Duration) {
      absl::MutexLock lock(&mu_);
      batches_.push_back(n);
    };
  }

  InMemoryAgentStore store_;
  absl::Mutex mu_;
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::StatusOr<CommitOutcome>> outcomes_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> batches_ ABSL_GUARDED_BY(mu_);
};

TEST_F(CommitQueueTest, UrgentFlushesWhatWasQueuedBeforeItInOrder) {
  CommitQueue q(&store_, "r1", {absl::Hours(1), 500}, Batches());
  q.Add(Commit("x"), /*urgent=*/false, Record("x"));
  q.Add(Commit("y"), /*urgent=*/true, Record("y"));
  ASSERT_TRUE(WaitDone(2));
  ASSERT_TRUE(WaitBatches(1));
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(order_, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(batches_, (std::vector<size_t>{2}));
  ASSERT_TRUE(outcomes_[0].ok());
  ASSERT_TRUE(outcomes_[1].ok());
  EXPECT_TRUE(outcomes_[0]->applied);
  ASSERT_EQ(outcomes_[0]->events.size(), 1u);
  ASSERT_EQ(outcomes_[1]->events.size(), 1u);
  EXPECT_LT(outcomes_[0]->events[0].position, outcomes_[1]->events[0].position);
  EXPECT_EQ(store_.Get("x")->agent.state(), v1::OPERATIONAL_STATE_ATTESTING);
}

TEST_F(CommitQueueTest, FullBatchAndWindowFlush) {
  CommitQueue full(&store_, "r1", {absl::Hours(1), 2}, Batches());
  full.Add(Commit("x"), false, Record("x"));
  full.Add(Commit("y"), false, Record("y"));
  ASSERT_TRUE(WaitDone(2));
  ASSERT_TRUE(WaitBatches(1));
  CommitQueue windowed(&store_, "r1", {absl::Milliseconds(10), 500}, Batches());
  windowed.Add(Commit("z"), false, Record("z"));
  ASSERT_TRUE(WaitDone(3));
  ASSERT_TRUE(WaitBatches(2));
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(batches_, (std::vector<size_t>{2, 1}));
}

TEST_F(CommitQueueTest, StaleCommitIsNotApplied) {
  CommitQueue q(&store_, "r1", {absl::Milliseconds(10), 500}, Batches());
  q.Add(Commit("x", /*generation=*/7), true, Record("x"));
  ASSERT_TRUE(WaitDone(1));
  absl::MutexLock lock(&mu_);
  ASSERT_TRUE(outcomes_[0].ok());
  EXPECT_FALSE(outcomes_[0]->applied);
  EXPECT_TRUE(outcomes_[0]->events.empty());
  EXPECT_EQ(store_.Get("x")->agent.state(), v1::OPERATIONAL_STATE_PENDING);
}

TEST_F(CommitQueueTest, StopWritesWhatIsQueued) {
  CommitQueue q(&store_, "r1", {absl::Hours(1), 500}, Batches());
  q.Add(Commit("x"), false, Record("x"));
  q.Add(Commit("y"), false, Record("y"));
  q.Stop();
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(order_.size(), 2u);
  EXPECT_EQ(store_.Get("y")->agent.attestation_count(), 1u);
}

}  // namespace
}  // namespace candor::verifier
