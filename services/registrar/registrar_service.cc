#include "services/registrar/registrar_service.h"

#include <spdlog/spdlog.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/log/log.h"
#include "lib/status/grpc_status.h"
#include "services/registrar/identity_checks.h"

namespace candor::registrar {
namespace {

// Agent ids come from the network: log malformed ones escaped and cut short.
std::string Loggable(absl::string_view id) {
  if (CheckAgentIdSyntax(id).ok()) return std::string(id);
  return absl::StrCat("\"", absl::CEscape(id.substr(0, 64)),
                      id.size() > 64 ? "...\"" : "\"");
}

}  // namespace

absl::Status RegistrarServiceImpl::Admit(const grpc::ServerContext& context,
                                         RegistrarRpc rpc,
                                         RateLimiter* limiter) const {
  absl::Status auth = authorizer_->Authorize(context, rpc);
  if (!auth.ok()) return auth;
  if (limiter != nullptr) {
    const std::string source = SourceKey(context.peer());
    if (!limiter->Allow(source)) {
      return absl::ResourceExhaustedError(
          absl::StrCat(RpcName(rpc), " rate limit exceeded for ", source,
                       ": retry with backoff"));
    }
  }
  return absl::OkStatus();
}

grpc::Status RegistrarServiceImpl::Finish(const grpc::ServerContext& context,
                                          RegistrarRpc rpc,
                                          absl::string_view agent_id,
                                          const absl::Status& status) const {
  if (metrics_ != nullptr && rpc == RegistrarRpc::kRegister) {
    metrics_->RegistrationResult(metrics::ResultOf(status));
  } else if (metrics_ != nullptr && rpc == RegistrarRpc::kActivate) {
    metrics_->ActivationResult(metrics::ResultOf(status));
  }
  if (!status.ok()) {
    spdlog::warn("registrar: {} for agent {} from {}: {}", RpcName(rpc),
                 Loggable(agent_id), context.peer(), status);
  }
  return ToGrpcStatus(status);
}

grpc::Status RegistrarServiceImpl::Register(grpc::ServerContext* context,
                                            const v1::RegisterRequest* request,
                                            v1::RegisterResponse* response) {
  const std::string& id = request->identity().agent_id();
  absl::Status s = Admit(*context, RegistrarRpc::kRegister, register_limiter_);
  if (s.ok()) {
    absl::StatusOr<v1::RegisterResponse> r = enrollment_->Register(*request);
    if (r.ok()) *response = std::move(*r);
    s = r.status();
  }
  return Finish(*context, RegistrarRpc::kRegister, id, s);
}

grpc::Status RegistrarServiceImpl::Activate(grpc::ServerContext* context,
                                            const v1::ActivateRequest* request,
                                            v1::RegisteredAgent* response) {
  absl::Status s = Admit(*context, RegistrarRpc::kActivate, activate_limiter_);
  if (s.ok()) {
    absl::StatusOr<v1::RegisteredAgent> r = enrollment_->Activate(*request);
    if (r.ok()) *response = std::move(*r);
    s = r.status();
  }
  return Finish(*context, RegistrarRpc::kActivate, request->agent_id(), s);
}

grpc::Status RegistrarServiceImpl::GetRegisteredAgent(
    grpc::ServerContext* context, const v1::GetRegisteredAgentRequest* request,
    v1::RegisteredAgent* response) {
  absl::Status s = Admit(*context, RegistrarRpc::kGetRegisteredAgent, nullptr);
  if (s.ok()) {
    absl::StatusOr<v1::RegisteredAgent> r =
        enrollment_->Get(request->agent_id());
    if (r.ok()) *response = std::move(*r);
    s = r.status();
  }
  // NOT_FOUND is an ordinary answer for the verifier: not worth a warning.
  if (s.code() == absl::StatusCode::kNotFound) return ToGrpcStatus(s);
  return Finish(*context, RegistrarRpc::kGetRegisteredAgent,
                request->agent_id(), s);
}

grpc::Status RegistrarServiceImpl::ListRegisteredAgents(
    grpc::ServerContext* context,
    const v1::ListRegisteredAgentsRequest* request,
    v1::ListRegisteredAgentsResponse* response) {
  absl::Status s =
      Admit(*context, RegistrarRpc::kListRegisteredAgents, nullptr);
  if (s.ok()) {
    absl::StatusOr<v1::ListRegisteredAgentsResponse> r =
        enrollment_->List(*request);
    if (r.ok()) *response = std::move(*r);
    s = r.status();
  }
  return Finish(*context, RegistrarRpc::kListRegisteredAgents, "(list)", s);
}

grpc::Status RegistrarServiceImpl::DeleteRegisteredAgent(
    grpc::ServerContext* context,
    const v1::DeleteRegisteredAgentRequest* request,
    v1::DeleteRegisteredAgentResponse* response) {
  absl::Status s =
      Admit(*context, RegistrarRpc::kDeleteRegisteredAgent, nullptr);
  if (s.ok()) s = enrollment_->Delete(request->agent_id());
  return Finish(*context, RegistrarRpc::kDeleteRegisteredAgent,
                request->agent_id(), s);
}

}  // namespace candor::registrar
