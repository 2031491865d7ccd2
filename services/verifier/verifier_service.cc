#include "services/verifier/verifier_service.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/log/log.h"
#include "lib/status/grpc_status.h"
#include "services/verifier/admin/agent_validation.h"

namespace candor::verifier {
namespace {

// Ids and names come from the network: log malformed ones escaped and cut
// short.
std::string Loggable(absl::string_view s) {
  if (CheckAgentId("", s).ok()) return std::string(s);
  return absl::StrCat("\"", absl::CHexEscape(s.substr(0, 64)),
                      s.size() > 64 ? "...\"" : "\"");
}

// Runs `call` (returning StatusOr<T>) and moves its value into `*out`.
template <typename T, typename F>
absl::Status Into(T* out, F&& call) {
  auto r = call();
  if (!r.ok()) return r.status();
  *out = std::move(*r);
  return absl::OkStatus();
}

}  // namespace

VerifierServiceImpl::VerifierServiceImpl(VerifierServiceDeps deps)
    : deps_(std::move(deps)) {
  AgentAdminOptions options;
  options.replica_id = deps_.replica_id;
  options.min_quote_interval = deps_.min_quote_interval;
  options.clock = deps_.clock;
  agents_ = std::make_unique<AgentAdmin>(deps_.agents, deps_.policies,
                                         deps_.registrar, deps_.sealer,
                                         std::move(options));
  policies_ = std::make_unique<PolicyAdmin>(deps_.policies, deps_.agents);
}

absl::Status VerifierServiceImpl::Admit(const grpc::ServerContext& context,
                                        absl::string_view rpc) const {
  return deps_.authorizer->Check(context, {rpc::Role::kAdmin}, rpc);
}

grpc::Status VerifierServiceImpl::Finish(const grpc::ServerContext& context,
                                         absl::string_view rpc,
                                         absl::string_view subject,
                                         const absl::Status& status,
                                         bool is_write) const {
  if (!status.ok()) {
    spdlog::warn("verifier: {} {} from {}: {}", rpc, Loggable(subject),
                 context.peer(), status);
  } else if (is_write) {
    spdlog::info("verifier: {} {} by {}", rpc, Loggable(subject),
                 context.peer());
  }
  return ToGrpcStatus(status);
}

grpc::Status VerifierServiceImpl::AddAgent(grpc::ServerContext* context,
                                           const v1::AddAgentRequest* request,
                                           v1::Agent* response) {
  constexpr absl::string_view kRpc = "VerifierService.AddAgent";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return agents_->Add(*request); });
  return Finish(*context, kRpc, request->agent().agent_id(), s, true);
}

grpc::Status VerifierServiceImpl::GetAgent(grpc::ServerContext* context,
                                           const v1::GetAgentRequest* request,
                                           v1::Agent* response) {
  constexpr absl::string_view kRpc = "VerifierService.GetAgent";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) {
    s = Into(response, [&] { return agents_->Get(request->agent_id()); });
  }
  // NOT_FOUND is an ordinary answer: not worth a warning.
  if (s.code() == absl::StatusCode::kNotFound) return ToGrpcStatus(s);
  return Finish(*context, kRpc, request->agent_id(), s, false);
}

grpc::Status VerifierServiceImpl::ListAgents(
    grpc::ServerContext* context, const v1::ListAgentsRequest* request,
    v1::ListAgentsResponse* response) {
  constexpr absl::string_view kRpc = "VerifierService.ListAgents";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return agents_->List(*request); });
  return Finish(*context, kRpc, "(list)", s, false);
}

grpc::Status VerifierServiceImpl::UpdateAgent(
    grpc::ServerContext* context, const v1::UpdateAgentRequest* request,
    v1::Agent* response) {
  constexpr absl::string_view kRpc = "VerifierService.UpdateAgent";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return agents_->Update(*request); });
  return Finish(*context, kRpc, request->agent().agent_id(), s, true);
}

grpc::Status VerifierServiceImpl::DeleteAgent(
    grpc::ServerContext* context, const v1::DeleteAgentRequest* request,
    v1::DeleteAgentResponse* response) {
  constexpr absl::string_view kRpc = "VerifierService.DeleteAgent";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = agents_->Delete(request->agent_id());
  return Finish(*context, kRpc, request->agent_id(), s, true);
}

grpc::Status VerifierServiceImpl::StopAgent(grpc::ServerContext* context,
                                            const v1::StopAgentRequest* request,
                                            v1::Agent* response) {
  constexpr absl::string_view kRpc = "VerifierService.StopAgent";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) {
    s = Into(response, [&] { return agents_->Stop(request->agent_id()); });
  }
  return Finish(*context, kRpc, request->agent_id(), s, true);
}

grpc::Status VerifierServiceImpl::ReactivateAgent(
    grpc::ServerContext* context, const v1::ReactivateAgentRequest* request,
    v1::Agent* response) {
  constexpr absl::string_view kRpc = "VerifierService.ReactivateAgent";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) {
    s = Into(response,
             [&] { return agents_->Reactivate(request->agent_id()); });
  }
  return Finish(*context, kRpc, request->agent_id(), s, true);
}

grpc::Status VerifierServiceImpl::CreatePolicy(
    grpc::ServerContext* context, const v1::CreatePolicyRequest* request,
    v1::PolicyVersion* response) {
  constexpr absl::string_view kRpc = "VerifierService.CreatePolicy";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return policies_->Create(*request); });
  return Finish(*context, kRpc, request->name(), s, true);
}

grpc::Status VerifierServiceImpl::GetPolicy(grpc::ServerContext* context,
                                            const v1::GetPolicyRequest* request,
                                            v1::GetPolicyResponse* response) {
  constexpr absl::string_view kRpc = "VerifierService.GetPolicy";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return policies_->Get(*request); });
  if (s.code() == absl::StatusCode::kNotFound) return ToGrpcStatus(s);
  return Finish(*context, kRpc, request->name(), s, false);
}

grpc::Status VerifierServiceImpl::ListPolicies(
    grpc::ServerContext* context, const v1::ListPoliciesRequest* request,
    v1::ListPoliciesResponse* response) {
  constexpr absl::string_view kRpc = "VerifierService.ListPolicies";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return policies_->List(*request); });
  return Finish(*context, kRpc, "(list)", s, false);
}

grpc::Status VerifierServiceImpl::UpdatePolicy(
    grpc::ServerContext* context, const v1::UpdatePolicyRequest* request,
    v1::PolicyVersion* response) {
  constexpr absl::string_view kRpc = "VerifierService.UpdatePolicy";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = Into(response, [&] { return policies_->Update(*request); });
  return Finish(*context, kRpc, request->name(), s, true);
}

grpc::Status VerifierServiceImpl::DeletePolicy(
    grpc::ServerContext* context, const v1::DeletePolicyRequest* request,
    v1::DeletePolicyResponse* response) {
  constexpr absl::string_view kRpc = "VerifierService.DeletePolicy";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok()) s = policies_->Delete(*request);
  return Finish(*context, kRpc, request->name(), s, true);
}

grpc::Status VerifierServiceImpl::WatchAttestations(
    grpc::ServerContext* context, const v1::WatchAttestationsRequest* request,
    grpc::ServerWriter<v1::WatchAttestationsResponse>* writer) {
  constexpr absl::string_view kRpc = "VerifierService.WatchAttestations";
  absl::Status s = Admit(*context, kRpc);
  if (s.ok() && !deps_.watch) {
    s = absl::UnimplementedError(
        absl::StrCat(kRpc, " is not available on this verifier yet"));
  }
  if (!s.ok()) return Finish(*context, kRpc, "(watch)", s, false);
  return deps_.watch(context, request, writer);
}

grpc::Status VerifierServiceImpl::PushAttestation(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::PushAttestationResponse,
                             v1::PushAttestationRequest>* stream) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "VerifierService.PushAttestation is reserved in v1: "
                      "agents are attested by pull (GetQuote)");
}

}  // namespace candor::verifier
