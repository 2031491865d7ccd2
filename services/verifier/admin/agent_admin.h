// File: services/verifier/admin/agent_admin.h
//
// The agent half of VerifierService (verifier.proto AddAgent, GetAgent,
// ListAgents, UpdateAgent, DeleteAgent, StopAgent, ReactivateAgent) as
// domain logic over the AgentStore, the PolicyStore, the registrar and the
// V share sealer; verifier_service.cc only authorizes and maps statuses.
// Every error is the one verifier.proto documents for the RPC, naming the
// field; store errors (UNAVAILABLE, ABORTED, INTERNAL) pass through.
//
// Writes (each one AgentStore transaction with its event, admin_events.h):
//   Add        row in PENDING, attest state fresh on ImaBank(pcr_selections),
//              V sealed; AGENT_ADDED (UNSPECIFIED -> PENDING).
//   Update     the masked fields (UpdateAgentRequest.update_mask, paths
//              exactly as kUpdatablePaths); IMA replay restarted when
//              ImaBank changes; a new V replaces the sealed one and clears
//              v_share_delivered_at; AGENT_UPDATED (state unchanged).
//   Delete     row gone; AGENT_DELETED (state -> UNSPECIFIED). The previous
//              state is read just before the delete (a cycle committing in
//              between may make it one transition old).
//   Stop       -> STOPPED with STATE_CHANGED; already STOPPED: returned as
//              is and nothing is written.
//   Reactivate FAILED/STOPPED -> PENDING, severity_level and last_failure
//              cleared, IMA replay restarted (attest_reset.h);
//              STATE_CHANGED. Other states: FAILED_PRECONDITION.
// The V share is never logged nor put in a message or an event.
// Thread-safe (the stores are); nothing is owned.
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_AGENT_ADMIN_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_AGENT_ADMIN_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.pb.h"
#include "services/verifier/admin/registrar_client.h"
#include "services/verifier/admin/v_share_sealer.h"
#include "services/verifier/store/agent_store.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

struct AgentAdminOptions {
  // Written into every event (AttestationEvent.replica_id).
  std::string replica_id;
  // AddAgent/UpdateAgent refuse a non-zero quote_interval below this.
  absl::Duration min_quote_interval = absl::ZeroDuration();
  // The verifier clock (event times, added_at); null = absl::Now.
  std::function<absl::Time()> clock;
};

class AgentAdmin {
 public:
  AgentAdmin(AgentStore* agents, PolicyStore* policies,
             RegistrarClient* registrar, const VShareSealer* sealer,
             AgentAdminOptions options);

  absl::StatusOr<v1::Agent> Add(const v1::AddAgentRequest& request);
  absl::StatusOr<v1::Agent> Get(absl::string_view agent_id);
  absl::StatusOr<v1::ListAgentsResponse> List(
      const v1::ListAgentsRequest& request);
  absl::StatusOr<v1::Agent> Update(const v1::UpdateAgentRequest& request);
  absl::Status Delete(absl::string_view agent_id);
  absl::StatusOr<v1::Agent> Stop(absl::string_view agent_id);
  absl::StatusOr<v1::Agent> Reactivate(absl::string_view agent_id);

 private:
  absl::Time Now() const;
  // The policy references of `agent` named in `paths` exist with the right
  // kind.
  absl::Status CheckPolicyRefs(const v1::Agent& agent, bool runtime, bool boot);

  AgentStore* const agents_;
  PolicyStore* const policies_;
  RegistrarClient* const registrar_;
  const VShareSealer* const sealer_;
  const AgentAdminOptions options_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_AGENT_ADMIN_H_
