#include "services/verifier/admin/agent_admin.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/crypto/secret.h"
#include "lib/log/log.h"
#include "lib/status/status_macros.h"
#include "services/verifier/admin/admin_events.h"
#include "services/verifier/admin/agent_validation.h"
#include "services/verifier/admin/attest_reset.h"

namespace candor::verifier {

AgentAdmin::AgentAdmin(AgentStore* agents, PolicyStore* policies,
                       RegistrarClient* registrar, const VShareSealer* sealer,
                       AgentAdminOptions options)
    : agents_(agents),
      policies_(policies),
      registrar_(registrar),
      sealer_(sealer),
      options_(std::move(options)) {}

absl::Time AgentAdmin::Now() const {
  return options_.clock ? options_.clock() : absl::Now();
}

absl::Status AgentAdmin::CheckPolicyRefs(const v1::Agent& agent, bool runtime,
                                         bool boot) {
  if (runtime) {
    ABSL_RETURN_IF_ERROR(CheckPolicyRef(*policies_, "agent.runtime_policy",
                                        agent.runtime_policy(),
                                        v1::POLICY_KIND_RUNTIME));
  }
  if (boot) {
    ABSL_RETURN_IF_ERROR(CheckPolicyRef(*policies_, "agent.boot_policy",
                                        agent.boot_policy(),
                                        v1::POLICY_KIND_BOOT));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Agent> AgentAdmin::Add(const v1::AddAgentRequest& request) {
  const v1::Agent& in = request.agent();
  const std::string& id = in.agent_id();
  ABSL_RETURN_IF_ERROR(CheckAgentId("agent.agent_id", id));
  ABSL_RETURN_IF_ERROR(CheckOutputOnlyUnset(in));
  ABSL_RETURN_IF_ERROR(CheckVShare("v_share", request.v_share()));
  for (absl::string_view path : kUpdatablePaths) {
    ABSL_RETURN_IF_ERROR(CheckConfigField(in, path, options_.min_quote_interval,
                                          /*address_may_be_empty=*/true));
  }
  ABSL_RETURN_IF_ERROR(CheckPolicyRefs(in, true, true));

  // Answer ALREADY_EXISTS without asking the registrar when we can (Add
  // still catches a concurrent add).
  absl::StatusOr<AgentRecord> existing = agents_->Get(id);
  if (existing.ok()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "agent ", id,
        " is already added (use UpdateAgent, or DeleteAgent then AddAgent)"));
  }
  if (existing.status().code() != absl::StatusCode::kNotFound) {
    return existing.status();
  }

  ABSL_ASSIGN_OR_RETURN(v1::RegisteredAgent reg,
                        registrar_->GetRegisteredAgent(id));
  if (reg.state() != v1::REGISTRATION_STATE_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat(
        "agent ", id, " is registered at the registrar but not active (",
        v1::RegistrationState_Name(reg.state()),
        "): the agent must complete Activate first"));
  }
  if (reg.identity().agent_id() != id) {
    return absl::InternalError(absl::StrCat("the registrar answered for agent ",
                                            id, " with another agent id"));
  }

  AgentRecord record;
  record.agent = in;
  record.identity = reg.identity();
  if (record.agent.address().empty()) {
    if (reg.address().empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "agent ", id, " has no address at the registrar; set agent.address"));
    }
    record.agent.set_address(reg.address());
  }
  record.agent.set_state(v1::OPERATIONAL_STATE_PENDING);
  const absl::Time now = Now();
  *record.agent.mutable_added_at() = ToTimestamp(now);
  ABSL_ASSIGN_OR_RETURN(record.attest_state,
                        InitialAttestState(ImaBank(in.pcr_selections())),
                        _ << "agent.pcr_selections");
  if (!request.v_share().empty()) {
    ABSL_ASSIGN_OR_RETURN(
        record.sealed_v_share,
        sealer_->Seal(crypto::SecretBytes(request.v_share())));
  }
  std::vector<NewEvent> events = {MakeAdminEvent(
      record.agent, v1::EVENT_KIND_AGENT_ADDED, v1::OPERATIONAL_STATE_PENDING,
      v1::OPERATIONAL_STATE_UNSPECIFIED, now, options_.replica_id)};
  ABSL_RETURN_IF_ERROR(agents_->Add(record, events).status());
  return record.agent;
}

absl::StatusOr<v1::Agent> AgentAdmin::Get(absl::string_view agent_id) {
  ABSL_RETURN_IF_ERROR(CheckAgentId("agent_id", agent_id));
  ABSL_ASSIGN_OR_RETURN(AgentRecord record, agents_->Get(agent_id));
  return std::move(record.agent);
}

absl::StatusOr<v1::ListAgentsResponse> AgentAdmin::List(
    const v1::ListAgentsRequest& request) {
  std::vector<v1::OperationalState> states;
  for (int i = 0; i < request.states_size(); ++i) {
    const v1::OperationalState s = request.states(i);
    if (s == v1::OPERATIONAL_STATE_UNSPECIFIED ||
        !v1::OperationalState_IsValid(s)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "states[", i, "]: ", static_cast<int>(s),
          " is not an operational state (UNSPECIFIED is not a filter value)"));
    }
    states.push_back(s);
  }
  ABSL_ASSIGN_OR_RETURN(
      AgentPage page,
      agents_->List(states, request.page_size(), request.page_token()));
  v1::ListAgentsResponse out;
  for (AgentRecord& r : page.agents) *out.add_agents() = std::move(r.agent);
  out.set_next_page_token(std::move(page.next_page_token));
  return out;
}

absl::Status AgentAdmin::Delete(absl::string_view agent_id) {
  ABSL_RETURN_IF_ERROR(CheckAgentId("agent_id", agent_id));
  ABSL_ASSIGN_OR_RETURN(AgentRecord record, agents_->Get(agent_id));
  std::vector<NewEvent> events = {
      MakeAdminEvent(record.agent, v1::EVENT_KIND_AGENT_DELETED,
                     v1::OPERATIONAL_STATE_UNSPECIFIED, record.agent.state(),
                     Now(), options_.replica_id)};
  return agents_->Delete(agent_id, events).status();
}

absl::StatusOr<v1::Agent> AgentAdmin::Stop(absl::string_view agent_id) {
  ABSL_RETURN_IF_ERROR(CheckAgentId("agent_id", agent_id));
  ABSL_ASSIGN_OR_RETURN(AgentRecord current, agents_->Get(agent_id));
  if (current.agent.state() == v1::OPERATIONAL_STATE_STOPPED) {
    return std::move(current.agent);
  }
  // Stopped concurrently: end the transaction without writing (the mutator
  // fails) and answer with the row as it is.
  bool already_stopped = false;
  v1::Agent stopped_copy;
  const absl::Time now = Now();
  absl::StatusOr<AgentRecord> updated = agents_->Mutate(
      agent_id, [&](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
        const v1::OperationalState previous = r.agent.state();
        already_stopped = previous == v1::OPERATIONAL_STATE_STOPPED;
        if (already_stopped) {
          stopped_copy = r.agent;
          // Not ABORTED: stores retry ABORTED transactions.
          return absl::CancelledError("already stopped: nothing to write");
        }
        r.agent.set_state(v1::OPERATIONAL_STATE_STOPPED);
        return std::vector<NewEvent>{MakeAdminEvent(
            r.agent, v1::EVENT_KIND_STATE_CHANGED,
            v1::OPERATIONAL_STATE_STOPPED, previous, now, options_.replica_id)};
      });
  if (already_stopped) return stopped_copy;
  if (!updated.ok()) return updated.status();
  return std::move(updated->agent);
}

absl::StatusOr<v1::Agent> AgentAdmin::Reactivate(absl::string_view agent_id) {
  ABSL_RETURN_IF_ERROR(CheckAgentId("agent_id", agent_id));
  const absl::Time now = Now();
  ABSL_ASSIGN_OR_RETURN(
      AgentRecord updated,
      agents_->Mutate(
          agent_id,
          [&](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
            const v1::OperationalState previous = r.agent.state();
            if (previous != v1::OPERATIONAL_STATE_FAILED &&
                previous != v1::OPERATIONAL_STATE_STOPPED) {
              return absl::FailedPreconditionError(absl::StrCat(
                  "agent ", r.agent.agent_id(), " is ",
                  v1::OperationalState_Name(previous),
                  ": only a FAILED or STOPPED agent can be reactivated"));
            }
            bool malformed = false;
            ABSL_ASSIGN_OR_RETURN(
                r.attest_state,
                ResetImaReplay(r.attest_state,
                               ImaBank(r.agent.pcr_selections()), &malformed));
            if (malformed) {
              spdlog::warn(
                  "verifier: agent {}: stored attestation state did not "
                  "parse; reactivated from a fresh state",
                  r.agent.agent_id());
            }
            r.agent.set_state(v1::OPERATIONAL_STATE_PENDING);
            r.agent.set_severity_level(v1::SEVERITY_UNSPECIFIED);
            r.agent.clear_last_failure();
            r.agent.set_next_ima_entry(0);
            return std::vector<NewEvent>{
                MakeAdminEvent(r.agent, v1::EVENT_KIND_STATE_CHANGED,
                               v1::OPERATIONAL_STATE_PENDING, previous, now,
                               options_.replica_id)};
          }));
  return std::move(updated.agent);
}

}  // namespace candor::verifier
