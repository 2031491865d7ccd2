#include "services/verifier/store/in_memory_agent_store.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {

InMemoryAgentStore::InMemoryAgentStore(Clock clock)
    : clock_(clock ? std::move(clock) : Clock([] { return absl::Now(); })) {}

AgentRecord InMemoryAgentStore::Output(const Row& row, absl::Time now) const {
  AgentRecord out = row.record;
  out.agent.clear_owner_replica_id();
  out.lease_expires_at = absl::InfinitePast();
  if (!row.owner.empty() && row.lease_expires_at > now) {
    out.agent.set_owner_replica_id(row.owner);
    out.lease_expires_at = row.lease_expires_at;
  }
  return out;
}

std::vector<StoredEvent> InMemoryAgentStore::AppendLocked(
    const std::vector<NewEvent>& events, absl::Time now) {
  std::vector<StoredEvent> out;
  out.reserve(events.size());
  for (const NewEvent& e : events) {
    Event stored;
    stored.stored.position = ++last_position_;
    stored.stored.event = e.event;
    if (!e.event.has_time())
      ToTimestamp(now, stored.stored.event.mutable_time());
    stored.stored.event.set_cursor(EncodeCursor(stored.stored.position));
    stored.stored.has_evidence = !e.evidence.empty();
    stored.evidence = e.evidence;
    stored.time = FromTimestamp(stored.stored.event.time());
    out.push_back(stored.stored);
    events_.emplace(stored.stored.position, std::move(stored));
  }
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> InMemoryAgentStore::Add(
    const AgentRecord& record, const std::vector<NewEvent>& events) {
  const std::string& id = record.agent.agent_id();
  ABSL_RETURN_IF_ERROR(ValidateStoredAgentId(id)) << "AddAgent";
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  auto [it, inserted] = agents_.try_emplace(id);
  if (!inserted) {
    return absl::AlreadyExistsError(
        absl::StrCat("AddAgent: agent ", id, " exists"));
  }
  Row& row = it->second;
  row.record = record;
  row.record.generation = 1;
  row.record.lease_expires_at = absl::InfinitePast();
  row.record.agent.clear_owner_replica_id();
  if (!row.record.agent.has_added_at()) {
    ToTimestamp(now, row.record.agent.mutable_added_at());
  }
  return AppendLocked(events, now);
}

absl::StatusOr<AgentRecord> InMemoryAgentStore::Mutate(
    absl::string_view agent_id, const Mutator& mutate) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  auto it = agents_.find(std::string(agent_id));
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("no agent ", agent_id));
  }
  Row& row = it->second;
  AgentRecord work = Output(row, now);
  ABSL_ASSIGN_OR_RETURN(std::vector<NewEvent> events, mutate(work));
  // Fields the mutator may not change.
  *work.agent.mutable_agent_id() = row.record.agent.agent_id();
  work.identity = row.record.identity;
  if (row.record.agent.has_added_at()) {
    *work.agent.mutable_added_at() = row.record.agent.added_at();
  }
  work.agent.clear_owner_replica_id();
  work.generation = row.record.generation + 1;
  work.lease_expires_at = absl::InfinitePast();
  row.record = std::move(work);
  AppendLocked(events, now);
  return Output(row, now);
}

absl::StatusOr<std::vector<StoredEvent>> InMemoryAgentStore::Delete(
    absl::string_view agent_id, const std::vector<NewEvent>& events) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(std::string(agent_id));
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("no agent ", agent_id));
  }
  agents_.erase(it);
  return AppendLocked(events, Now());
}

absl::StatusOr<AgentRecord> InMemoryAgentStore::Get(
    absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(std::string(agent_id));
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("no agent ", agent_id));
  }
  return Output(it->second, Now());
}

absl::StatusOr<std::vector<AgentRecord>> InMemoryAgentStore::GetMany(
    const std::vector<std::string>& agent_ids) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  std::vector<AgentRecord> out;
  for (const std::string& id : agent_ids) {
    auto it = agents_.find(id);
    if (it != agents_.end()) out.push_back(Output(it->second, now));
  }
  return out;
}

absl::StatusOr<AgentPage> InMemoryAgentStore::List(
    const std::vector<v1::OperationalState>& states, uint32_t page_size,
    absl::string_view page_token) {
  ABSL_ASSIGN_OR_RETURN(std::string after,
                        DecodeAgentPageToken(states, page_token),
                        _ << "ListAgents");
  const size_t limit = EffectiveAgentPageSize(page_size);
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  AgentPage page;
  for (auto it = agents_.upper_bound(after); it != agents_.end(); ++it) {
    if (!StatesContain(states, it->second.record.agent.state())) continue;
    if (page.agents.size() == limit) {
      page.next_page_token =
          EncodeAgentPageToken(states, page.agents.back().agent.agent_id());
      break;
    }
    page.agents.push_back(Output(it->second, now));
  }
  return page;
}

absl::StatusOr<std::vector<std::string>> InMemoryAgentStore::AgentsUsingPolicy(
    absl::string_view name, uint32_t limit) {
  if (limit == 0) limit = kDefaultAgentPageSize;
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const auto& [id, row] : agents_) {
    if (out.size() == limit) break;
    if (UsesPolicy(row.record.agent, name)) out.push_back(id);
  }
  return out;
}

absl::StatusOr<uint32_t> InMemoryAgentStore::CountAgentsUsingPolicyVersion(
    absl::string_view name, uint32_t version, uint32_t latest_version) {
  absl::MutexLock lock(&mu_);
  uint32_t n = 0;
  for (const auto& [id, row] : agents_) {
    if (UsesPolicyVersion(row.record.agent, name, version, latest_version)) {
      ++n;
    }
  }
  return n;
}

absl::Status InMemoryAgentStore::Heartbeat(absl::string_view replica_id,
                                           absl::string_view address) {
  absl::MutexLock lock(&mu_);
  replicas_[std::string(replica_id)] = {std::string(address), Now()};
  return absl::OkStatus();
}

absl::StatusOr<InMemoryAgentStore::ReplicaInfo> InMemoryAgentStore::GetReplica(
    absl::string_view replica_id) const {
  absl::MutexLock lock(&mu_);
  auto it = replicas_.find(std::string(replica_id));
  if (it == replicas_.end()) {
    return absl::NotFoundError(absl::StrCat("no replica ", replica_id));
  }
  return it->second;
}

absl::StatusOr<LeaseChange> InMemoryAgentStore::ClaimLeases(
    absl::string_view replica_id, absl::Duration duration, uint32_t max_claim,
    const std::function<bool(absl::string_view)>& eligible) {
  if (replica_id.empty()) {
    return absl::InvalidArgumentError("ClaimLeases: replica_id is empty");
  }
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  const absl::Time expiry = now + duration;
  const std::string me(replica_id);
  LeaseChange change;
  uint32_t claimed = 0;
  for (auto& [id, row] : agents_) {
    if (row.owner == me) {
      row.lease_expires_at = expiry;
      change.held.push_back(id);
      continue;
    }
    const bool free = row.owner.empty() || row.lease_expires_at <= now;
    if (!free || claimed >= max_claim) continue;
    if (eligible && !eligible(id)) continue;
    row.owner = me;
    row.lease_expires_at = expiry;
    change.held.push_back(id);
    ++claimed;
  }
  std::set<std::string>& before = last_held_[me];
  std::set<std::string> now_held(change.held.begin(), change.held.end());
  for (const std::string& id : change.held) {
    if (before.count(id) == 0) change.gained.push_back(id);
  }
  for (const std::string& id : before) {
    if (now_held.count(id) == 0) change.lost.push_back(id);
  }
  before = std::move(now_held);
  return change;
}

absl::Status InMemoryAgentStore::ReleaseLeases(absl::string_view replica_id) {
  absl::MutexLock lock(&mu_);
  for (auto& [id, row] : agents_) {
    if (row.owner == replica_id) {
      row.owner.clear();
      row.lease_expires_at = absl::InfinitePast();
    }
  }
  last_held_.erase(std::string(replica_id));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CommitOutcome>> InMemoryAgentStore::CommitCycles(
    absl::string_view replica_id, const std::vector<CycleCommit>& commits) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  std::vector<CommitOutcome> out(commits.size());
  for (size_t i = 0; i < commits.size(); ++i) {
    const CycleCommit& c = commits[i];
    auto it = agents_.find(c.agent_id);
    if (it == agents_.end()) continue;
    Row& row = it->second;
    if (row.record.generation != c.expected_generation ||
        row.owner != replica_id || replica_id.empty() ||
        row.lease_expires_at <= now) {
      continue;
    }
    ApplyCycleStatus(c.status, row.record.agent);
    row.record.attest_state = c.attest_state;
    out[i].applied = true;
    out[i].events = AppendLocked(c.events, now);
  }
  return out;
}

absl::StatusOr<std::vector<StoredEvent>> InMemoryAgentStore::AppendEvents(
    const std::vector<NewEvent>& events) {
  absl::MutexLock lock(&mu_);
  return AppendLocked(events, Now());
}

absl::StatusOr<std::vector<StoredEvent>> InMemoryAgentStore::ReadEvents(
    int64_t after, uint32_t limit) {
  const size_t n = EffectiveEventReadLimit(limit);
  absl::MutexLock lock(&mu_);
  std::vector<StoredEvent> out;
  for (auto it = events_.upper_bound(after);
       it != events_.end() && out.size() < n; ++it) {
    out.push_back(it->second.stored);
  }
  return out;
}

absl::StatusOr<int64_t> InMemoryAgentStore::LatestPosition() {
  absl::MutexLock lock(&mu_);
  return last_position_;
}

absl::StatusOr<int64_t> InMemoryAgentStore::TrimmedThrough() {
  absl::MutexLock lock(&mu_);
  return trimmed_through_;
}

absl::StatusOr<int64_t> InMemoryAgentStore::TrimEvents(absl::Time before) {
  absl::MutexLock lock(&mu_);
  int64_t n = 0;
  while (!events_.empty() && events_.begin()->second.time < before) {
    trimmed_through_ = std::max(trimmed_through_, events_.begin()->first);
    events_.erase(events_.begin());
    ++n;
  }
  return n;
}

absl::StatusOr<std::string> InMemoryAgentStore::GetEvidence(int64_t position) {
  absl::MutexLock lock(&mu_);
  auto it = events_.find(position);
  if (it == events_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no event at ", EncodeCursor(position)));
  }
  if (!it->second.stored.has_evidence) {
    return absl::NotFoundError(absl::StrCat("event ", EncodeCursor(position),
                                            " has no evidence kept"));
  }
  return it->second.evidence;
}

}  // namespace candor::verifier
