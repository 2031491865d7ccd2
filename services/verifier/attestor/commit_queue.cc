#include "services/verifier/attestor/commit_queue.h"

#include <utility>

namespace candor::verifier {

CommitQueue::CommitQueue(
    AgentStore* store, std::string replica_id, Options options,
    std::function<void(size_t, absl::Duration)> after_commit)
    : store_(store),
      replica_id_(std::move(replica_id)),
      options_(options),
      after_commit_(std::move(after_commit)) {
  thread_ = std::thread([this] { Run(); });
}

void CommitQueue::Add(CycleCommit commit, bool urgent, DoneFn done) {
  absl::MutexLock lock(&mu_);
  if (queue_.empty()) first_queued_ = absl::Now();
  queue_.push_back(Item{std::move(commit), std::move(done)});
  urgent_ = urgent_ || urgent;
}

void CommitQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CommitQueue::Run() {
  while (true) {
    std::vector<Item> batch;
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || urgent_ || queue_.size() >= options_.max_batch;
      };
      mu_.Await(absl::Condition(&has_work));
      if (!ready()) {
        mu_.AwaitWithDeadline(absl::Condition(&ready),
                              first_queued_ + options_.window);
      }
      stop = stopping_;
      batch.swap(queue_);
      urgent_ = false;
    }
    if (!batch.empty()) {
      std::vector<CycleCommit> commits;
      commits.reserve(batch.size());
      for (Item& item : batch) commits.push_back(std::move(item.commit));
      absl::Time t0 = absl::Now();
      absl::StatusOr<std::vector<CommitOutcome>> outcomes =
          store_->CommitCycles(replica_id_, commits);
      absl::Duration took = absl::Now() - t0;
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!outcomes.ok()) {
          batch[i].done(outcomes.status());
        } else if (i < outcomes->size()) {
          batch[i].done(std::move((*outcomes)[i]));
        } else {
          batch[i].done(absl::InternalError("store returned too few outcomes"));
        }
      }
      if (after_commit_) after_commit_(commits.size(), took);
    }
    if (stop) {
      absl::MutexLock lock(&mu_);
      if (queue_.empty()) return;
    }
  }
}

}  // namespace candor::verifier
