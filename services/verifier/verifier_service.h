// File: services/verifier/verifier_service.h
//
// The gRPC adapter for candor.v1.VerifierService
// (protos/candor/v1/verifier.proto), sync API. Each RPC: the Authorizer
// (lib/rpc/auth.h; every RPC needs an admin client certificate:
// UNAUTHENTICATED / PERMISSION_DENIED), then the domain call —
// admin/agent_admin.h for agents, admin/policy_admin.h for policies, the
// WatchFn the attestation side provides for WatchAttestations — its
// absl::Status mapped with candor::ToGrpcStatus (code and message kept).
// PushAttestation (reserved in v1) answers UNIMPLEMENTED without checking
// roles (agents will call it with their own certificates).
//
// Refusals are logged at warn with the RPC, agent id or policy name and
// peer; successful writes at info. The V share is never logged (nor is any
// request as a whole).
//
// Thread-safe (gRPC calls the methods from many threads). Nothing is owned;
// everything in VerifierServiceDeps must outlive the service.
#ifndef CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_H_
#define CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "lib/rpc/auth.h"
#include "services/verifier/admin/agent_admin.h"
#include "services/verifier/admin/policy_admin.h"
#include "services/verifier/admin/registrar_client.h"
#include "services/verifier/admin/v_share_sealer.h"
#include "services/verifier/store/agent_store.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

// Serves one WatchAttestations stream (called after the role check).
using WatchFn = std::function<grpc::Status(
    grpc::ServerContext*, const v1::WatchAttestationsRequest*,
    grpc::ServerWriter<v1::WatchAttestationsResponse>*)>;

struct VerifierServiceDeps {
  AgentStore* agents = nullptr;                 // required
  PolicyStore* policies = nullptr;              // required
  RegistrarClient* registrar = nullptr;         // required
  const VShareSealer* sealer = nullptr;         // required
  const rpc::Authorizer* authorizer = nullptr;  // required
  // The verifier clock (event times, added_at); null = absl::Now.
  std::function<absl::Time()> clock;
  // This replica's id, written into every event.
  std::string replica_id;
  // Agents' quote_interval must be zero (= the verifier's default) or at
  // least this.
  absl::Duration min_quote_interval = absl::ZeroDuration();
  // Null: WatchAttestations answers UNIMPLEMENTED.
  WatchFn watch;
};

class VerifierServiceImpl final : public v1::VerifierService::Service {
 public:
  explicit VerifierServiceImpl(VerifierServiceDeps deps);

  grpc::Status AddAgent(grpc::ServerContext* context,
                        const v1::AddAgentRequest* request,
                        v1::Agent* response) override;
  grpc::Status GetAgent(grpc::ServerContext* context,
                        const v1::GetAgentRequest* request,
                        v1::Agent* response) override;
  grpc::Status ListAgents(grpc::ServerContext* context,
                          const v1::ListAgentsRequest* request,
                          v1::ListAgentsResponse* response) override;
  grpc::Status UpdateAgent(grpc::ServerContext* context,
                           const v1::UpdateAgentRequest* request,
                           v1::Agent* response) override;
  grpc::Status DeleteAgent(grpc::ServerContext* context,
                           const v1::DeleteAgentRequest* request,
                           v1::DeleteAgentResponse* response) override;
  grpc::Status StopAgent(grpc::ServerContext* context,
                         const v1::StopAgentRequest* request,
                         v1::Agent* response) override;
  grpc::Status ReactivateAgent(grpc::ServerContext* context,
                               const v1::ReactivateAgentRequest* request,
                               v1::Agent* response) override;
  grpc::Status CreatePolicy(grpc::ServerContext* context,
                            const v1::CreatePolicyRequest* request,
                            v1::PolicyVersion* response) override;
  grpc::Status GetPolicy(grpc::ServerContext* context,
                         const v1::GetPolicyRequest* request,
                         v1::GetPolicyResponse* response) override;
  grpc::Status ListPolicies(grpc::ServerContext* context,
                            const v1::ListPoliciesRequest* request,
                            v1::ListPoliciesResponse* response) override;
  grpc::Status UpdatePolicy(grpc::ServerContext* context,
                            const v1::UpdatePolicyRequest* request,
                            v1::PolicyVersion* response) override;
  grpc::Status DeletePolicy(grpc::ServerContext* context,
                            const v1::DeletePolicyRequest* request,
                            v1::DeletePolicyResponse* response) override;
  grpc::Status WatchAttestations(
      grpc::ServerContext* context, const v1::WatchAttestationsRequest* request,
      grpc::ServerWriter<v1::WatchAttestationsResponse>* writer) override;
  grpc::Status PushAttestation(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::PushAttestationResponse,
                               v1::PushAttestationRequest>* stream) override;

 private:
  // The admin role check.
  absl::Status Admit(const grpc::ServerContext& context,
                     absl::string_view rpc) const;
  // Logs a refusal (warn) or a completed write (info) and maps the status.
  grpc::Status Finish(const grpc::ServerContext& context, absl::string_view rpc,
                      absl::string_view subject, const absl::Status& status,
                      bool is_write) const;

  const VerifierServiceDeps deps_;
  std::unique_ptr<AgentAdmin> agents_;
  std::unique_ptr<PolicyAdmin> policies_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_H_
