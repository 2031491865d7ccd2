#include "services/verifier/attestor/attestor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <utility>

#include "google/protobuf/util/time_util.h"
#include "lib/log/log.h"
#include "lib/metrics/metrics_catalogue.h"
#include "services/verifier/attestor/attestor_internal.h"

namespace candor::verifier {
namespace {

bool Schedulable(v1::OperationalState s) {
  return s == v1::OPERATIONAL_STATE_PENDING ||
         s == v1::OPERATIONAL_STATE_ATTESTING ||
         s == v1::OPERATIONAL_STATE_UNREACHABLE;
}

absl::string_view StateLabel(v1::OperationalState s) {
  switch (s) {
    case v1::OPERATIONAL_STATE_PENDING:
      return metrics::kStatePending;
    case v1::OPERATIONAL_STATE_ATTESTING:
      return metrics::kStateAttesting;
    case v1::OPERATIONAL_STATE_UNREACHABLE:
      return metrics::kStateUnreachable;
    case v1::OPERATIONAL_STATE_FAILED:
      return metrics::kStateFailed;
    case v1::OPERATIONAL_STATE_STOPPED:
      return metrics::kStateStopped;
    default:
      return "";
  }
}

}  // namespace

Attestor::Attestor(Options options, Deps deps)
    : options_(std::move(options)), deps_(std::move(deps)) {
  // Created here, not in Start(): the hub listener (Attach) may post work
  // as soon as the hub runs, possibly before Start().
  workers_ = std::make_unique<WorkQueue>(std::max(1, options_.workers));
  commits_ = std::make_unique<CommitQueue>(
      deps_.store, options_.replica_id, options_.commits,
      [this](size_t, absl::Duration took) {
        if (deps_.metrics != nullptr) {
          deps_.metrics->ObserveDbLatency(absl::ToDoubleSeconds(took));
          deps_.metrics->ObserveStage(metrics::kStageDb,
                                      absl::ToDoubleSeconds(took));
        }
        deps_.hub->Poke();
      });
}

Attestor::~Attestor() { Stop(); }

void Attestor::Attach() {
  deps_.hub->AddListener(
      [this](const std::vector<StoredEvent>& events) { OnEvents(events); });
}

void Attestor::Start() {
  started_ = true;
  lease_thread_ = std::thread([this] { LeaseLoop(); });
  sched_thread_ = std::thread([this] { SchedulerLoop(); });
}

void Attestor::Stop() {
  if (!started_) return;
  started_ = false;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    sched_wake_.SignalAll();
    lease_wake_.SignalAll();
  }
  lease_thread_.join();
  sched_thread_.join();
  {
    // Running cycles end within the RPC deadline; their results are written.
    absl::MutexLock lock(&mu_);
    auto idle = [this]()
                    ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
    mu_.AwaitWithTimeout(absl::Condition(&idle),
                         options_.rpc_timeout + absl::Seconds(2));
  }
  workers_->Stop();
  commits_->Stop();
  absl::Status s = deps_.store->ReleaseLeases(options_.replica_id);
  if (!s.ok()) spdlog::warn("verifier: releasing leases: {}", s);
}

size_t Attestor::owned() const {
  absl::MutexLock lock(&mu_);
  return slots_.size();
}

absl::Duration Attestor::IntervalOf(const v1::Agent& agent) const {
  absl::Duration d = absl::Seconds(agent.quote_interval().seconds()) +
                     absl::Nanoseconds(agent.quote_interval().nanos());
  return d > absl::ZeroDuration() ? d : options_.default_interval;
}

void Attestor::ScheduleLocked(Slot& slot, absl::Time when) {
  ++slot.epoch;
  if (!Schedulable(slot.record.agent.state())) return;
  due_.push(Due{when, slot.record.agent.agent_id(), slot.epoch});
  sched_wake_.Signal();
}

void Attestor::LeaseLoop() {
  while (true) {
    RenewLeases();
    absl::MutexLock lock(&mu_);
    if (!lease_poked_ && !stopping_) {
      lease_wake_.WaitWithTimeout(&mu_, options_.lease_renew);
    }
    lease_poked_ = false;
    if (stopping_) return;
  }
}

void Attestor::RenewLeases() {
  absl::Status hb =
      deps_.store->Heartbeat(options_.replica_id, options_.address);
  if (!hb.ok()) spdlog::warn("verifier: heartbeat: {}", hb);
  absl::StatusOr<LeaseChange> change =
      deps_.store->ClaimLeases(options_.replica_id, options_.lease_duration,
                               options_.max_claim, nullptr);
  if (!change.ok()) {
    spdlog::warn("verifier: renewing leases failed (will retry): {}",
                 change.status());
    return;
  }
  if (!change->gained.empty()) {
    spdlog::info("verifier: replica {} now holds {} agents (+{})",
                 options_.replica_id, change->held.size(),
                 change->gained.size());
  }
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : change->lost) slots_.erase(id);
    // Held agents missing from memory (e.g. a failed load) are loaded again.
    for (const std::string& id : change->held) {
      if (!slots_.contains(id) &&
          std::find(change->gained.begin(), change->gained.end(), id) ==
              change->gained.end()) {
        change->gained.push_back(id);
      }
    }
  }
  if (deps_.metrics != nullptr) {
    for (size_t i = 0; i < change->gained.size(); ++i) {
      deps_.metrics->LeaseGained();
    }
    for (size_t i = 0; i < change->lost.size(); ++i) deps_.metrics->LeaseLost();
  }
  for (size_t i = 0; i < change->gained.size(); i += 1000) {
    size_t end = std::min(change->gained.size(), i + 1000);
    Load(std::vector<std::string>(change->gained.begin() + i,
                                  change->gained.begin() + end),
         LoadReason::kLeaseGained);
  }
  if (deps_.metrics != nullptr) {
    absl::flat_hash_map<std::string, int> by_state;
    size_t owned;
    {
      absl::MutexLock lock(&mu_);
      owned = slots_.size();
      for (const auto& [id, slot] : slots_) {
        ++by_state[std::string(StateLabel(slot->record.agent.state()))];
      }
    }
    deps_.metrics->SetOwnedAgents(static_cast<double>(owned));
    for (absl::string_view s :
         {metrics::kStatePending, metrics::kStateAttesting,
          metrics::kStateUnreachable, metrics::kStateFailed,
          metrics::kStateStopped}) {
      deps_.metrics->SetAgentsInState(s, by_state[std::string(s)]);
    }
  }
}

void Attestor::Load(const std::vector<std::string>& ids, LoadReason reason) {
  absl::StatusOr<std::vector<AgentRecord>> records = deps_.store->GetMany(ids);
  if (!records.ok()) {
    spdlog::warn("verifier: loading {} agents failed (will retry): {}",
                 ids.size(), records.status());
    if (reason == LoadReason::kStale) {
      // Try again later rather than leaving the agent unscheduled.
      absl::MutexLock lock(&mu_);
      for (const std::string& id : ids) {
        auto it = slots_.find(id);
        if (it != slots_.end() && !it->second->in_flight) {
          ScheduleLocked(*it->second,
                         absl::Now() + IntervalOf(it->second->record.agent));
        }
      }
    }
    return;
  }
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  absl::flat_hash_map<std::string, AgentRecord*> found;
  for (AgentRecord& r : *records) found[r.agent.agent_id()] = &r;
  const bool spread = reason == LoadReason::kLeaseGained;
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  for (const std::string& id : ids) {
    auto f = found.find(id);
    if (f == found.end()) {  // deleted
      slots_.erase(id);
      continue;
    }
    AgentRecord& r = *f->second;
    const bool had_slot = slots_.contains(id);
    if (!had_slot && reason != LoadReason::kLeaseGained) {
      continue;  // not held (anymore): the lease loop decides
    }
    auto& slot = slots_[id];
    if (slot == nullptr) slot = std::make_unique<Slot>();
    if (reason == LoadReason::kEvent &&
        slot->record.generation == r.generation && slot->plan != nullptr &&
        slot->record.agent.state() == r.agent.state()) {
      continue;  // nothing an admin changed
    }
    if (slot->conn_address != r.agent.address()) slot->conn = nullptr;
    if (had_slot && slot->record.generation != r.generation) {
      slot->refresh_policies = true;  // an admin change (not a lease gain)
    }
    slot->record = std::move(r);
    if (slot->in_flight) continue;  // its commit will be stale; reloaded then
    absl::Time when = now;
    if (spread) {
      double span = absl::ToDoubleSeconds(IntervalOf(slot->record.agent));
      when +=
          absl::Seconds(std::uniform_real_distribution<double>(0, span)(rng));
    }
    ScheduleLocked(*slot, when);
  }
}

void Attestor::SchedulerLoop() {
  while (true) {
    std::vector<std::shared_ptr<Job>> start;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      const absl::Time now = absl::Now();
      while (!due_.empty() && due_.top().when <= now &&
             in_flight_ < options_.max_in_flight) {
        Due d = due_.top();
        due_.pop();
        auto it = slots_.find(d.id);
        if (it == slots_.end() || it->second->epoch != d.epoch ||
            it->second->in_flight) {
          continue;
        }
        Slot& slot = *it->second;
        slot.in_flight = true;
        ++in_flight_;
        auto job = std::make_shared<Job>();
        job->record = slot.record;
        if (slot.plan_generation == slot.record.generation)
          job->plan = slot.plan;
        job->conn = slot.conn;
        job->misses = slot.misses;
        job->carried = std::move(slot.carried);
        slot.carried.clear();
        job->refresh_policies = slot.refresh_policies;
        slot.refresh_policies = false;
        start.push_back(std::move(job));
      }
      if (start.empty()) {
        if (due_.empty() || in_flight_ >= options_.max_in_flight) {
          sched_wake_.Wait(&mu_);
        } else {
          sched_wake_.WaitWithDeadline(&mu_, due_.top().when);
        }
        continue;
      }
    }
    for (auto& job : start) {
      workers_->Post([this, job] { Begin(job); });
    }
  }
}

void Attestor::Finish(const std::string& id, absl::Time next_due) {
  absl::MutexLock lock(&mu_);
  --in_flight_;
  sched_wake_.Signal();
  auto it = slots_.find(id);
  if (it == slots_.end()) return;
  it->second->in_flight = false;
  if (next_due == absl::InfinitePast()) return;
  ScheduleLocked(*it->second, next_due);
}

void Attestor::OnEvents(const std::vector<StoredEvent>& events) {
  std::vector<std::string> reload;
  bool poke_leases = false;
  for (const StoredEvent& e : events) {
    const v1::AttestationEvent& ev = e.event;
    switch (ev.kind()) {
      case v1::EVENT_KIND_AGENT_ADDED:
        poke_leases = true;
        break;
      case v1::EVENT_KIND_AGENT_UPDATED:
      case v1::EVENT_KIND_AGENT_DELETED:
      case v1::EVENT_KIND_STATE_CHANGED: {
        absl::MutexLock lock(&mu_);
        if (slots_.contains(ev.agent_id())) reload.push_back(ev.agent_id());
        break;
      }
      case v1::EVENT_KIND_REVOCATION_SENT:
        FanOut(ev);
        break;
      default:
        break;
    }
  }
  if (!reload.empty()) {
    std::sort(reload.begin(), reload.end());
    reload.erase(std::unique(reload.begin(), reload.end()), reload.end());
    workers_->Post([this, reload] { Load(reload, LoadReason::kEvent); });
  }
  if (poke_leases) {
    absl::MutexLock lock(&mu_);
    lease_poked_ = true;
    lease_wake_.Signal();
  }
}

}  // namespace candor::verifier
