#include "services/verifier/attestor/verdict.h"

#include <algorithm>
#include <utility>

#include "google/protobuf/util/time_util.h"
#include "lib/attest/attest_state.h"
#include "lib/failure/catalogue.h"

namespace candor::verifier {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

v1::Severity MaxSeverity(const std::vector<v1::Failure>& findings) {
  v1::Severity s = v1::SEVERITY_UNSPECIFIED;
  for (const v1::Failure& f : findings) s = std::max(s, f.severity());
  return s;
}

// Starts a commit from the record: status = the record's agent (the store
// ignores its configuration fields), attest state unchanged.
CycleCommit BaseCommit(const AgentRecord& r) {
  CycleCommit c;
  c.agent_id = r.agent.agent_id();
  c.expected_generation = r.generation;
  c.status = r.agent;
  c.attest_state = r.attest_state;
  return c;
}

v1::AttestationEvent BaseEvent(const VerdictContext& ctx, v1::EventKind kind,
                               const std::vector<v1::Failure>& findings) {
  v1::AttestationEvent e;
  e.set_agent_id(ctx.record->agent.agent_id());
  *e.mutable_time() = Ts(ctx.end);
  e.set_kind(kind);
  e.set_severity(MaxSeverity(findings));
  for (const v1::Failure& f : findings) *e.add_failures() = f;
  *e.mutable_cycle_duration() = TimeUtil::NanosecondsToDuration(
      absl::ToInt64Nanoseconds(ctx.end - ctx.start));
  e.set_replica_id(ctx.replica_id);
  return e;
}

// Records severity_level / last_failure from this cycle's findings.
void NoteFindings(const std::vector<v1::Failure>& findings, v1::Agent& status) {
  if (findings.empty()) return;
  const v1::Failure* worst = &findings.front();
  for (const v1::Failure& f : findings) {
    if (f.severity() > worst->severity()) worst = &f;
  }
  *status.mutable_last_failure() = *worst;
  status.set_severity_level(
      std::max(status.severity_level(), worst->severity()));
}

// Appends the cycle event, and a STATE_CHANGED event when the state moved.
void Finish(const VerdictContext& ctx, v1::EventKind kind,
            const std::vector<v1::Failure>& findings, v1::OperationalState next,
            std::string evidence, Verdict& v) {
  v1::Agent& status = v.commit.status;
  const v1::OperationalState prev = ctx.record->agent.state();
  status.set_state(next);
  NoteFindings(findings, status);
  NewEvent cycle{BaseEvent(ctx, kind, findings), std::move(evidence)};
  cycle.event.set_state(next);
  cycle.event.set_previous_state(prev);
  cycle.event.set_attestation_count(status.attestation_count());
  v.commit.events.push_back(std::move(cycle));
  if (next != prev) {
    NewEvent change{BaseEvent(ctx, v1::EVENT_KIND_STATE_CHANGED, findings), ""};
    change.event.clear_cycle_duration();
    change.event.set_state(next);
    change.event.set_previous_state(prev);
    change.event.set_attestation_count(status.attestation_count());
    v.commit.events.push_back(std::move(change));
    v.urgent = true;
  }
}

}  // namespace

Verdict FromCycle(const VerdictContext& ctx, const attest::CycleResult& result,
                  uint32_t runtime_version, uint32_t boot_version,
                  std::string evidence) {
  Verdict v;
  v.commit = BaseCommit(*ctx.record);
  std::vector<v1::Failure> findings = result.failures;
  findings.insert(findings.end(), result.warnings.begin(),
                  result.warnings.end());
  ctx.severity->Apply(findings);
  bool fails = false;
  for (const v1::Failure& f : findings) {
    // An uncatalogued id no rule ranks is treated as failing (fail closed).
    if (ctx.severity->Fails(f.severity()) ||
        f.severity() == v1::SEVERITY_UNSPECIFIED) {
      fails = true;
    }
  }
  v1::Agent& status = v.commit.status;
  v.commit.attest_state = attest::SerializeState(result.new_state);
  status.set_boot_id(result.new_state.boot_id);
  status.set_next_ima_entry(result.new_state.ima.next_entry);
  *status.mutable_last_attestation() = Ts(ctx.end);
  if (runtime_version != 0) {
    status.set_runtime_policy_version_in_use(runtime_version);
  }
  if (boot_version != 0) status.set_boot_policy_version_in_use(boot_version);
  if (fails) {
    v.failed = true;
    v.urgent = true;
    Finish(ctx, v1::EVENT_KIND_ATTESTATION_FAILED, findings,
           v1::OPERATIONAL_STATE_FAILED, std::move(evidence), v);
    return v;
  }
  v.passed = true;
  status.set_attestation_count(status.attestation_count() + 1);
  *status.mutable_last_successful_attestation() = Ts(ctx.end);
  Finish(ctx, v1::EVENT_KIND_ATTESTATION_PASSED, findings,
         v1::OPERATIONAL_STATE_ATTESTING, "", v);
  return v;
}

Verdict FromMiss(const VerdictContext& ctx, v1::Failure finding,
                 int consecutive_misses, int unreachable_after) {
  Verdict v;
  v.commit = BaseCommit(*ctx.record);
  std::vector<v1::Failure> findings{std::move(finding)};
  ctx.severity->Apply(findings);
  const v1::Failure& f = findings.front();
  const v1::OperationalState prev = ctx.record->agent.state();
  if (ctx.severity->Fails(f.severity())) {
    v.failed = true;
    v.urgent = true;
    *v.commit.status.mutable_last_attestation() = Ts(ctx.end);
    Finish(ctx, v1::EVENT_KIND_ATTESTATION_FAILED, findings,
           v1::OPERATIONAL_STATE_FAILED, "", v);
    return v;
  }
  v1::OperationalState next = prev;
  if (f.id() == failure::kAgentUnreachable &&
      consecutive_misses >= unreachable_after &&
      (prev == v1::OPERATIONAL_STATE_PENDING ||
       prev == v1::OPERATIONAL_STATE_ATTESTING)) {
    next = v1::OPERATIONAL_STATE_UNREACHABLE;
  }
  Finish(ctx, v1::EVENT_KIND_ATTESTATION_INCOMPLETE, findings, next, "", v);
  return v;
}

}  // namespace candor::verifier
