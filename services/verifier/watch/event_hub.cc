#include "services/verifier/watch/event_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "lib/log/log.h"

namespace candor::verifier {

EventHub::Subscription::~Subscription() { hub_->Unsubscribe(this); }

absl::StatusOr<std::vector<StoredEvent>> EventHub::Subscription::Next(
    absl::Duration timeout) {
  absl::MutexLock lock(&hub_->mu_);
  absl::Time deadline = absl::Now() + timeout;
  while (queue_.empty() && closed_.ok()) {
    if (hub_->arrived_.WaitWithDeadline(&hub_->mu_, deadline)) break;
  }
  std::vector<StoredEvent> out;
  if (queue_.empty()) {
    if (!closed_.ok()) return closed_;
    scanned_ = std::max(scanned_, hub_->published_);
    return out;
  }
  out.assign(std::make_move_iterator(queue_.begin()),
             std::make_move_iterator(queue_.end()));
  queue_.clear();
  scanned_ = std::max(scanned_, out.back().position);
  return out;
}

int64_t EventHub::Subscription::scanned() const {
  absl::MutexLock lock(&hub_->mu_);
  return scanned_;
}

absl::Status EventHub::Start() {
  absl::StatusOr<int64_t> latest = store_->LatestPosition();
  if (!latest.ok()) return latest.status();
  absl::MutexLock lock(&mu_);
  published_ = *latest;
  running_ = true;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void EventHub::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!running_) return;
    running_ = false;
    stopping_ = true;
    wake_.SignalAll();
    for (Subscription* s : subs_) {
      if (s->closed_.ok()) {
        s->closed_ = absl::UnavailableError(
            "verifier replica is shutting down: resume from the last cursor "
            "on any replica");
      }
    }
    arrived_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void EventHub::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
  wake_.Signal();
}

void EventHub::AddListener(Listener listener) {
  listeners_.push_back(std::move(listener));
}

std::unique_ptr<EventHub::Subscription> EventHub::Subscribe(size_t max_queue) {
  std::unique_ptr<Subscription> s(new Subscription(this));
  absl::MutexLock lock(&mu_);
  s->start_ = published_;
  s->scanned_ = published_;
  s->max_queue_ = max_queue;
  if (!running_) {
    s->closed_ = absl::UnavailableError("verifier replica is not serving");
  }
  subs_.push_back(s.get());
  return s;
}

void EventHub::Unsubscribe(Subscription* s) {
  absl::MutexLock lock(&mu_);
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
}

int64_t EventHub::published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

int EventHub::subscribers() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(subs_.size());
}

void EventHub::Run() {
  int64_t after;
  {
    absl::MutexLock lock(&mu_);
    after = published_;
  }
  bool failing = false;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (!poked_ && !stopping_) {
        wake_.WaitWithTimeout(&mu_, options_.poll);
      }
      if (stopping_) return;
      poked_ = false;
    }
    // Read until caught up (a poke during the read sets poked_ again).
    while (true) {
      absl::StatusOr<std::vector<StoredEvent>> batch =
          store_->ReadEvents(after, options_.read_batch);
      if (!batch.ok()) {
        if (!failing) {
          spdlog::warn("verifier: reading events failed (will retry): {}",
                       batch.status());
        }
        failing = true;
        break;
      }
      if (failing) spdlog::info("verifier: reading events works again");
      failing = false;
      if (batch->empty()) break;
      after = batch->back().position;
      const bool full = batch->size() >= options_.read_batch;
      for (const Listener& l : listeners_) l(*batch);
      Publish(std::move(*batch));
      if (!full) break;
    }
  }
}

void EventHub::Publish(std::vector<StoredEvent> batch) {
  absl::MutexLock lock(&mu_);
  published_ = batch.back().position;
  for (Subscription* s : subs_) {
    if (!s->closed_.ok()) continue;
    if (s->queue_.size() + batch.size() > s->max_queue_) {
      s->queue_.clear();
      s->closed_ = absl::ResourceExhaustedError(
          "watch stream reads too slowly (more than the buffered events are "
          "pending): resume from the last cursor received");
      continue;
    }
    for (const StoredEvent& e : batch) {
      if (e.position > s->start_) s->queue_.push_back(e);
    }
  }
  arrived_.SignalAll();
}

}  // namespace candor::verifier
