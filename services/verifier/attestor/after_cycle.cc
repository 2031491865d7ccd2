// What follows a committed cycle of the Attestor (attestor.h): delivering
// the V share after the first pass, signing the revocation notice after a
// failure, and sending notices about other agents to the agents held here.
#include <spdlog/spdlog.h>

#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "lib/log/log.h"
#include "services/verifier/attestor/attestor.h"
#include "services/verifier/attestor/attestor_internal.h"

namespace candor::verifier {
namespace {

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t));
}

}  // namespace

void Attestor::DeliverV(std::shared_ptr<Job> job) {
  const AgentRecord& r = job->record;
  const std::string id = r.agent.agent_id();
  const absl::Duration interval = IntervalOf(r.agent);
  absl::StatusOr<crypto::SecretBytes> v = deps_.open_v_share(r.sealed_v_share);
  absl::StatusOr<std::string> wrapped =
      v.ok() ? deps_.wrap_share(r.identity.transport_public_key(), *v)
             : absl::StatusOr<std::string>(v.status());
  if (!wrapped.ok()) {
    spdlog::error("verifier: agent {}: cannot prepare the V share: {}", id,
                  wrapped.status());
    return Finish(id, absl::Now() + interval);
  }
  v1::DeliverKeyShareRequest req;
  req.set_kind(v1::KEY_SHARE_KIND_V);
  req.set_encrypted_share(*wrapped);
  job->conn->DeliverKeyShare(
      req, options_.rpc_timeout,
      [this, job, id,
       interval](absl::StatusOr<v1::DeliverKeyShareResponse> resp) {
        if (!resp.ok()) {
          spdlog::warn(
              "verifier: agent {}: V share not delivered (retried "
              "after the next passing cycle): {}",
              id, resp.status());
          return Finish(id, absl::Now() + interval);
        }
        const absl::Time now = absl::Now();
        CycleCommit c;
        c.agent_id = id;
        c.expected_generation = job->record.generation;
        c.status = job->record.agent;
        c.attest_state = job->record.attest_state;
        *c.status.mutable_v_share_delivered_at() = Ts(now);
        NewEvent e;
        e.event.set_agent_id(id);
        *e.event.mutable_time() = Ts(now);
        e.event.set_kind(v1::EVENT_KIND_KEY_SHARE_DELIVERED);
        e.event.set_state(c.status.state());
        e.event.set_previous_state(c.status.state());
        e.event.set_attestation_count(c.status.attestation_count());
        e.event.set_replica_id(options_.replica_id);
        *e.event.mutable_key_share() = resp->result();
        c.events.push_back(std::move(e));
        job->committed_status = c.status;
        job->committed_state = c.attest_state;
        commits_->Add(
            std::move(c), /*urgent=*/true,
            [this, job, id, interval](absl::StatusOr<CommitOutcome> outcome) {
              if (outcome.ok() && outcome->applied) {
                absl::MutexLock lock(&mu_);
                auto it = slots_.find(id);
                if (it != slots_.end()) {
                  it->second->record.agent = job->committed_status;
                }
              }
              Finish(id, absl::Now() + interval);
            });
      });
}

void Attestor::SendRevocation(const AgentRecord& record,
                              const StoredEvent& failed) {
  v1::RevocationMessage msg;
  msg.set_agent_id(record.agent.agent_id());
  *msg.mutable_time() = failed.event.time();
  msg.set_event_cursor(EncodeCursor(failed.position));
  msg.set_severity(failed.event.severity());
  for (const v1::Failure& f : failed.event.failures()) {
    if (deps_.severity->Fails(f.severity()) ||
        f.severity() == v1::SEVERITY_UNSPECIFIED) {
      *msg.add_failures() = f;
    }
  }
  msg.set_address(record.agent.address());
  absl::StatusOr<v1::RevocationNotice> notice = deps_.sign_notice(msg);
  if (!notice.ok()) {
    spdlog::error("verifier: agent {}: cannot sign the revocation notice: {}",
                  record.agent.agent_id(), notice.status());
    return;
  }
  NewEvent e;
  e.event.set_agent_id(record.agent.agent_id());
  *e.event.mutable_time() = Ts(absl::Now());
  e.event.set_kind(v1::EVENT_KIND_REVOCATION_SENT);
  e.event.set_state(v1::OPERATIONAL_STATE_FAILED);
  e.event.set_previous_state(v1::OPERATIONAL_STATE_FAILED);
  e.event.set_severity(msg.severity());
  *e.event.mutable_failures() = msg.failures();
  e.event.set_attestation_count(record.agent.attestation_count());
  e.event.set_replica_id(options_.replica_id);
  *e.event.mutable_revocation() = *notice;
  absl::StatusOr<std::vector<StoredEvent>> written =
      deps_.store->AppendEvents({e});
  if (!written.ok()) {
    spdlog::error("verifier: agent {}: writing the revocation notice: {}",
                  record.agent.agent_id(), written.status());
    return;
  }
  deps_.hub->Poke();
}

void Attestor::FanOut(const v1::AttestationEvent& revocation) {
  struct Target {
    std::string id;
    std::string address;
    std::string cert;
    std::shared_ptr<AgentConnection> conn;
  };
  std::vector<Target> targets;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, slot] : slots_) {
      if (id == revocation.agent_id() ||
          slot->record.agent.state() == v1::OPERATIONAL_STATE_FAILED) {
        continue;
      }
      targets.push_back(Target{id, slot->record.agent.address(),
                               slot->record.identity.tls_certificate(),
                               slot->conn});
    }
  }
  v1::NotifyRequest req;
  *req.mutable_notice() = revocation.revocation();
  for (Target& t : targets) {
    if (t.conn == nullptr) {
      auto conn = deps_.connector->Connect(t.id, t.address, t.cert);
      if (!conn.ok()) continue;
      t.conn = *conn;
    }
    std::string id = t.id;
    std::string revoked = revocation.agent_id();
    t.conn->Notify(req, options_.rpc_timeout,
                   [id, revoked](absl::StatusOr<v1::NotifyResponse> resp) {
                     if (!resp.ok()) {
                       spdlog::warn(
                           "verifier: revocation notice about {} not "
                           "delivered to {}: {}",
                           revoked, id, resp.status());
                     } else {
                       spdlog::info(
                           "verifier: agent {} ran {} revocation action(s) "
                           "({} failed) for {}{}",
                           id, resp->actions_run(), resp->actions_failed(),
                           revoked, resp->duplicate() ? " (duplicate)" : "");
                     }
                   });
  }
}

}  // namespace candor::verifier
