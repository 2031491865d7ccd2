// One attestation cycle of the Attestor (attestor.h): request, evaluation,
// verdict and commit; what follows a commit is in after_cycle.cc.
#include "lib/attest/cycle.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "candor/internal/v1/attest_state.pb.h"
#include "lib/convert/pcr_convert.h"
#include "lib/failure/catalogue.h"
#include "lib/log/log.h"
#include "lib/metrics/metrics_catalogue.h"
#include "services/verifier/attestor/attestor.h"
#include "services/verifier/attestor/attestor_internal.h"
#include "services/verifier/attestor/verdict.h"

namespace candor::verifier {
namespace {

std::string Nonce() {
  std::string n(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(n.data()), 32) != 1) {
    return "";
  }
  return n;
}

v1::Failure PolicyFailure(const absl::Status& s, absl::string_view which) {
  if (absl::IsNotFound(s)) {
    return failure::MakeFailure(failure::kPolicyNotFound,
                                absl::StrCat(which, " policy: ", s.message()),
                                {{"policy", std::string(which)}});
  }
  if (absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s)) {
    return failure::MakeFailure(failure::kPolicyInvalid,
                                absl::StrCat(which, " policy: ", s.message()),
                                {{"policy", std::string(which)}});
  }
  return failure::MakeFailure(failure::kInternalError,
                              absl::StrCat(which, " policy: ", s.message()));
}

}  // namespace

void Attestor::Begin(std::shared_ptr<Job> job) {
  job->start = absl::Now();
  const AgentRecord& r = job->record;
  absl::StatusOr<attest::AgentAttestationState> state =
      attest::ParseState(r.attest_state);
  if (!state.ok()) {
    return Miss(job,
                failure::MakeFailure(failure::kInternalError,
                                     absl::StrCat("stored attestation state: ",
                                                  state.status().message())));
  }
  job->state = std::move(*state);
  if (job->plan == nullptr) {
    absl::StatusOr<AgentPlan> plan = MakeAgentPlan(r, job->state.ima.bank);
    if (!plan.ok()) {
      return Miss(job,
                  failure::MakeFailure(failure::kInternalError,
                                       std::string(plan.status().message())));
    }
    job->plan = std::make_shared<const AgentPlan>(std::move(*plan));
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(r.agent.agent_id());
    if (it != slots_.end() && it->second->record.generation == r.generation) {
      it->second->plan = job->plan;
      it->second->plan_generation = r.generation;
    }
  }
  if (job->conn == nullptr) {
    absl::StatusOr<std::shared_ptr<AgentConnection>> conn =
        deps_.connector->Connect(r.agent.agent_id(), r.agent.address(),
                                 r.identity.tls_certificate());
    if (!conn.ok()) {
      return Miss(job,
                  failure::MakeFailure(failure::kAgentUnreachable,
                                       std::string(conn.status().message())));
    }
    job->conn = *conn;
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(r.agent.agent_id());
    if (it != slots_.end()) {
      it->second->conn = job->conn;
      it->second->conn_address = r.agent.address();
    }
  }
  if (!r.agent.runtime_policy().name().empty()) {
    auto p = deps_.policies->Runtime(r.agent.runtime_policy(),
                                     job->refresh_policies);
    if (!p.ok()) return Miss(job, PolicyFailure(p.status(), "runtime"));
    job->runtime = std::move(*p);
  }
  if (!r.agent.boot_policy().name().empty()) {
    auto p = deps_.policies->Boot(r.agent.boot_policy(), job->refresh_policies);
    if (!p.ok()) return Miss(job, PolicyFailure(p.status(), "boot"));
    job->boot = std::move(*p);
  }
  // The boot log is evaluated only against a boot policy (whose PCRs 0-9
  // the plan quotes); without one there is nothing to check it against.
  RequestQuote(job, attest::ImaStartEntry(job->state),
               job->boot.policy != nullptr && attest::WantBootLog(job->state),
               /*first=*/true);
}

void Attestor::RequestQuote(std::shared_ptr<Job> job, uint64_t start_entry,
                            bool want_boot_log, bool first) {
  v1::GetQuoteRequest req;
  v1::EvidenceRequest* e = req.mutable_request();
  std::string nonce = Nonce();
  if (nonce.empty()) {
    return Miss(job, failure::MakeFailure(failure::kInternalError,
                                          "RAND_bytes failed"));
  }
  e->set_nonce(nonce);
  if (first) job->nonce = nonce;
  auto sel = convert::SelectionToProto(job->plan->selection);
  if (!sel.ok()) {
    return Miss(job, failure::MakeFailure(failure::kInternalError,
                                          std::string(sel.status().message())));
  }
  for (v1::PcrSelection& s : *sel) *e->add_pcr_selections() = std::move(s);
  e->set_ima_start_entry(start_entry);
  e->set_max_entries(options_.ima_page_entries);
  e->set_want_boot_log(want_boot_log);
  job->rpc_start = absl::Now();
  job->conn->GetQuote(
      req, options_.rpc_timeout,
      [this, job, first](absl::StatusOr<v1::GetQuoteResponse> resp) {
        if (deps_.metrics != nullptr) {
          deps_.metrics->ObserveStage(
              metrics::kStageRpc,
              absl::ToDoubleSeconds(absl::Now() - job->rpc_start));
        }
        workers_->Post([this, job, first, resp = std::move(resp)]() mutable {
          if (!resp.ok()) {
            return Miss(job, failure::MakeFailure(
                                 failure::kAgentUnreachable,
                                 std::string(resp.status().message()),
                                 {{"code", absl::StatusCodeToString(
                                               resp.status().code())}}));
          }
          if (first) {
            job->evidence = std::move(*resp->mutable_evidence());
          } else {
            job->more_pages.push_back(
                std::move(*resp->mutable_evidence()->mutable_ima_entries()));
          }
          Evaluate(job);
        });
      });
}

void Attestor::Evaluate(std::shared_ptr<Job> job) {
  attest::CycleInput in;
  in.state = &job->state;
  in.ak = job->plan->ak.get();
  in.nonce = job->nonce;
  in.requested = &job->plan->selection;
  in.evidence = &job->evidence;
  in.more_ima_pages = &job->more_pages;
  in.runtime = job->runtime.policy.get();
  in.boot = job->boot.policy.get();
  in.pcr = job->plan->pcr_policy.get();
  in.expected_pcr16 = job->plan->expected_pcr16;
  absl::Time t0 = absl::Now();
  absl::StatusOr<attest::CycleResult> result = attest::EvaluateCycle(in);
  if (deps_.metrics != nullptr) {
    deps_.metrics->ObserveStage(metrics::kStageQuote,
                                absl::ToDoubleSeconds(absl::Now() - t0));
  }
  if (!result.ok()) {
    return Miss(job,
                failure::MakeFailure(failure::kInternalError,
                                     std::string(result.status().message())));
  }
  if (result->more_ima_pages_needed) {
    if (static_cast<int>(job->more_pages.size()) >= options_.max_ima_pages) {
      return Miss(job, failure::MakeFailure(
                           failure::kAgentInvalidResponse,
                           "IMA log pages never reach the quoted PCR 10"));
    }
    return RequestQuote(job, result->ima_next_request_entry, false, false);
  }
  const AgentRecord& r = job->record;
  if (result->ima_restart_needed) {
    // Persist the reset replay and run a new cycle at once (no verdict).
    CycleCommit c;
    c.agent_id = r.agent.agent_id();
    c.expected_generation = r.generation;
    c.status = r.agent;
    c.status.set_boot_id(result->new_state.boot_id);
    c.status.set_next_ima_entry(result->new_state.ima.next_entry);
    c.attest_state = attest::SerializeState(result->new_state);
    job->restart_now = true;
    // Its warnings (agent.rebooted: the new boot id is persisted now) would
    // not be found again: report them with the next cycle's verdict. Its
    // failures (boot, PCRs) will be found again.
    job->carried.insert(job->carried.end(), result->warnings.begin(),
                        result->warnings.end());
    return Submit(job, std::move(c), false, false, false, false);
  }
  if (deps_.metrics != nullptr &&
      result->new_state.ima.next_entry > job->state.ima.next_entry) {
    deps_.metrics->ImaEntriesProcessed(result->new_state.ima.next_entry -
                                       job->state.ima.next_entry);
  }
  if (!job->carried.empty()) {
    result->warnings.insert(result->warnings.begin(), job->carried.begin(),
                            job->carried.end());
    job->carried.clear();
  }
  job->end = absl::Now();
  VerdictContext ctx{&r, deps_.severity, options_.replica_id, job->start,
                     job->end};
  Verdict v =
      FromCycle(ctx, *result, job->runtime.version, job->boot.version, "");
  if (v.failed && !v.commit.events.empty()) {
    internal::v1::CycleEvidence ev;
    ev.set_nonce(job->nonce);
    // Keep the StatusOr alive: ranging over *SelectionToProto(...) would
    // iterate a destroyed temporary.
    auto requested = convert::SelectionToProto(job->plan->selection);
    if (requested.ok()) {
      for (const v1::PcrSelection& s : *requested) *ev.add_requested() = s;
    }
    *ev.mutable_evidence() = job->evidence;
    for (const auto& p : job->more_pages) *ev.add_more_ima_pages() = p;
    ev.set_start_state(r.attest_state);
    v.commit.events.front().evidence = ev.SerializeAsString();
  }
  Submit(job, std::move(v.commit), v.urgent, v.passed, v.failed, true);
}

void Attestor::Miss(std::shared_ptr<Job> job, v1::Failure finding) {
  const bool unreachable = finding.id() == failure::kAgentUnreachable;
  job->end = absl::Now();
  VerdictContext ctx{&job->record, deps_.severity, options_.replica_id,
                     job->start, job->end};
  int misses = unreachable ? job->misses + 1 : job->misses;
  Verdict v =
      FromMiss(ctx, std::move(finding), misses, options_.unreachable_after);
  job->misses = misses;
  Submit(job, std::move(v.commit), v.urgent, false, v.failed, v.failed);
}

void Attestor::Submit(std::shared_ptr<Job> job, CycleCommit commit, bool urgent,
                      bool passed, bool failed, bool reached_verdict) {
  if (deps_.metrics != nullptr && !commit.events.empty()) {
    const v1::AttestationEvent& e = commit.events.front().event;
    deps_.metrics->AttestationResult(
        e.kind() == v1::EVENT_KIND_ATTESTATION_PASSED
            ? metrics::kAttestationPass
        : e.kind() == v1::EVENT_KIND_ATTESTATION_FAILED
            ? metrics::kAttestationFail
            : metrics::kAttestationIncomplete);
    for (const v1::Failure& f : e.failures()) deps_.metrics->Failure(f.id());
  }
  job->committed_status = commit.status;
  job->committed_state = commit.attest_state;
  commits_->Add(std::move(commit), urgent,
                [this, job, passed, failed,
                 reached_verdict](absl::StatusOr<CommitOutcome> outcome) {
                  AfterCommit(job, passed, failed, reached_verdict,
                              std::move(outcome));
                });
}

void Attestor::AfterCommit(std::shared_ptr<Job> job, bool passed, bool failed,
                           bool reached_verdict,
                           absl::StatusOr<CommitOutcome> outcome) {
  const std::string id = job->record.agent.agent_id();
  const absl::Duration interval = IntervalOf(job->record.agent);
  if (!outcome.ok()) {
    spdlog::warn("verifier: agent {}: writing the cycle failed (retrying): {}",
                 id, outcome.status());
    return Finish(id, absl::Now() + std::min(interval, absl::Seconds(5)));
  }
  if (!outcome->applied) {
    // An admin change or a lost lease: reload, then start over.
    Finish(id, absl::InfinitePast());
    workers_->Post([this, id] { Load({id}, LoadReason::kStale); });
    return;
  }
  int misses = reached_verdict ? 0 : job->misses;
  {
    absl::MutexLock lock(&mu_);
    auto it = slots_.find(id);
    if (it != slots_.end()) {
      Slot& slot = *it->second;
      // Applied: the configuration is unchanged, so the committed copy is
      // the row.
      slot.record.agent = job->committed_status;
      slot.record.attest_state = job->committed_state;
      slot.misses = misses;
      if (job->restart_now) slot.carried = std::move(job->carried);
      job->record = slot.record;
    }
  }
  if (failed && !outcome->events.empty() && deps_.sign_notice) {
    AgentRecord rec = job->record;
    StoredEvent ev = outcome->events.front();
    workers_->Post([this, rec, ev] { SendRevocation(rec, ev); });
  }
  if (passed && !job->record.sealed_v_share.empty() &&
      !job->record.agent.has_v_share_delivered_at() && deps_.open_v_share &&
      deps_.wrap_share) {
    return DeliverV(job);  // keeps the agent in flight until written
  }
  // The pause is measured from the end of the cycle (verifier.proto
  // quote_interval), not from when its batch was written.
  const absl::Time end = job->end == absl::InfinitePast() ? absl::Now() : job->end;
  absl::Time next = end + interval;
  if (misses > 0) {
    absl::Duration backoff = interval;
    for (int i = 1; i < misses && backoff < options_.backoff_ceiling; ++i) {
      backoff *= 2;
    }
    next = end + std::min(backoff, options_.backoff_ceiling);
  } else if (job->restart_now) {
    next = absl::Now();  // the replay was reset to entry 0: run again now
  }
  Finish(id, next);
}

}  // namespace candor::verifier
