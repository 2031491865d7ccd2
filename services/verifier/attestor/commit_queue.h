// File: services/verifier/attestor/commit_queue.h
//
// Writes cycle results to the AgentStore in batches (DESIGN.md "One
// attestation cycle" step 6): routine passes wait up to `window` (or until
// `max_batch` are queued); an urgent commit (a failure or a state change)
// flushes the queue at once, with everything queued before it, so one
// agent's commits are never reordered. One thread; `done` callbacks run on
// it after the transaction, then `after_commit` (e.g. EventHub::Poke).
// A failed transaction reports its status to every callback of the batch.
// Stop() flushes what is queued. Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_COMMIT_QUEUE_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_COMMIT_QUEUE_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier {

class CommitQueue {
 public:
  struct Options {
    absl::Duration window = absl::Milliseconds(200);
    size_t max_batch = 500;
  };
  using DoneFn = std::function<void(absl::StatusOr<CommitOutcome>)>;

  CommitQueue(
      AgentStore* store, std::string replica_id, Options options,
      std::function<void(size_t statements, absl::Duration)> after_commit);
  ~CommitQueue() { Stop(); }

  void Add(CycleCommit commit, bool urgent, DoneFn done);
  void Stop();

 private:
  struct Item {
    CycleCommit commit;
    DoneFn done;
  };
  void Run();

  AgentStore* const store_;
  const std::string replica_id_;
  const Options options_;
  const std::function<void(size_t, absl::Duration)> after_commit_;
  absl::Mutex mu_;
  std::vector<Item> queue_ ABSL_GUARDED_BY(mu_);
  bool urgent_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time first_queued_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_COMMIT_QUEUE_H_
