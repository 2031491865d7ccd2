// File: services/verifier/attestor/work_queue.h
//
// A fixed pool of threads running posted closures in FIFO order; the
// attestation loop's CPU work (evaluating cycles) runs here, never on gRPC's
// callback threads. Stop() runs what is queued, then joins. Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_WORK_QUEUE_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace candor::verifier {

class WorkQueue {
 public:
  explicit WorkQueue(int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { Run(); });
    }
  }
  ~WorkQueue() { Stop(); }
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Runs `fn` on a pool thread. After Stop(), runs it on the caller.
  void Post(std::function<void()> fn) {
    {
      absl::MutexLock lock(&mu_);
      if (!stopping_) {
        queue_.push_back(std::move(fn));
        return;
      }
    }
    fn();
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    for (std::thread& t : threads_) t.join();
  }

  size_t pending() const {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> fn;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stopping_ || !queue_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (queue_.empty()) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_WORK_QUEUE_H_
