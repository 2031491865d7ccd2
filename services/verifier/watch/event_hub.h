// File: services/verifier/watch/event_hub.h
//
// The verifier's view of the fleet's event stream: one tailer thread reads
// committed events from the AgentStore in position (= commit) order and
// hands each batch to listeners (the attestation loop: revocation fan-out,
// reloads after admin changes) and to subscriptions (WatchAttestations
// streams). Because it reads from the store, an event is seen only once it
// is committed, whichever replica wrote it (DESIGN.md "Sharding").
//
// Writers in this process call Poke() after each commit; events of other
// replicas are found by polling every `poll` until LISTEN/NOTIFY lands.
//
// Subscriptions get every event after their start position exactly once, in
// order, until closed: Stop() closes them with UNAVAILABLE, a queue over
// `max_queue` events with RESOURCE_EXHAUSTED. Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_WATCH_EVENT_HUB_H_
#define CANDOR_SERVICES_VERIFIER_WATCH_EVENT_HUB_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier {

class EventHub {
 public:
  struct Options {
    absl::Duration poll = absl::Seconds(1);
    uint32_t read_batch = 1000;
  };
  using Listener = std::function<void(const std::vector<StoredEvent>&)>;

  class Subscription {
   public:
    ~Subscription();
    // Events published after `start_position()` (the hub's position when
    // subscribing). Waits up to `timeout` for at least one; an empty vector
    // on timeout. A non-OK status once closed (after the queued events were
    // taken).
    absl::StatusOr<std::vector<StoredEvent>> Next(absl::Duration timeout);
    int64_t start_position() const { return start_; }
    // The hub's published position when the queue was last found empty: all
    // events up to it were returned by Next. For heartbeats.
    int64_t scanned() const;

   private:
    friend class EventHub;
    explicit Subscription(EventHub* hub) : hub_(hub) {}
    EventHub* hub_;
    int64_t start_ = 0;
    size_t max_queue_ = 0;
    std::deque<StoredEvent> queue_;  // guarded by hub_->mu_
    absl::Status closed_;            // guarded by hub_->mu_
    int64_t scanned_ = 0;            // guarded by hub_->mu_
  };

  EventHub(AgentStore* store, Options options)
      : store_(store), options_(options) {}
  ~EventHub() { Stop(); }

  // Positions the tailer at the store's latest event and starts it.
  absl::Status Start();
  // Stops the tailer and closes every subscription with UNAVAILABLE.
  void Stop();
  // New events were committed: read now.
  void Poke();
  // Called on the tailer thread with every batch, in order. Add before
  // Start().
  void AddListener(Listener listener);
  std::unique_ptr<Subscription> Subscribe(size_t max_queue = 10000);
  int64_t published() const;
  int subscribers() const;

 private:
  void Run();
  void Publish(std::vector<StoredEvent> batch);
  void Unsubscribe(Subscription* s);

  AgentStore* const store_;
  const Options options_;
  std::vector<Listener> listeners_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;     // tailer
  absl::CondVar arrived_;  // subscribers
  bool poked_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  int64_t published_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Subscription*> subs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_WATCH_EVENT_HUB_H_
