#include "services/registrar/authorizer.h"

#include "absl/strings/str_cat.h"

namespace candor::registrar {

absl::string_view RpcName(RegistrarRpc rpc) {
  switch (rpc) {
    case RegistrarRpc::kRegister:
      return "Register";
    case RegistrarRpc::kActivate:
      return "Activate";
    case RegistrarRpc::kGetRegisteredAgent:
      return "GetRegisteredAgent";
    case RegistrarRpc::kListRegisteredAgents:
      return "ListRegisteredAgents";
    case RegistrarRpc::kDeleteRegisteredAgent:
      return "DeleteRegisteredAgent";
  }
  return "unknown";
}

absl::Status RoleAuthorizer::Authorize(const grpc::ServerContext& context,
                                       RegistrarRpc rpc) const {
  const std::string name = absl::StrCat("RegistrarService.", RpcName(rpc));
  switch (rpc) {
    case RegistrarRpc::kRegister:
    case RegistrarRpc::kActivate:
      return absl::OkStatus();  // agents: anyone, rate-limited
    case RegistrarRpc::kGetRegisteredAgent:
      return roles_->Check(context, {rpc::Role::kVerifier, rpc::Role::kAdmin},
                           name);
    case RegistrarRpc::kListRegisteredAgents:
    case RegistrarRpc::kDeleteRegisteredAgent:
      return roles_->Check(context, {rpc::Role::kAdmin}, name);
  }
  return absl::InternalError(absl::StrCat("unknown registrar RPC ", name));
}

}  // namespace candor::registrar
