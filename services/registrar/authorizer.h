// File: services/registrar/authorizer.h
//
// Who may call which registrar RPC (protos/candor/v1/README.md "Services and
// who may call what"): Register and Activate are open to anyone (agents have
// no Candor certificate; they are rate-limited instead), GetRegisteredAgent
// needs a verifier or admin client certificate, ListRegisteredAgents and
// DeleteRegisteredAgent an admin one. The service calls Authorize() first in
// every RPC and returns its error unchanged (UNAUTHENTICATED without a needed
// certificate, PERMISSION_DENIED for the wrong role).
//
// RoleAuthorizer maps each RPC to its roles and asks lib/rpc's Authorizer
// (mTLS: the client certificate's OU; --insecure: allow all).
// InsecureAllowAllAuthorizer allows everything (tests).
// Implementations are thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_AUTHORIZER_H_
#define CANDOR_SERVICES_REGISTRAR_AUTHORIZER_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/rpc/auth.h"

namespace candor::registrar {

enum class RegistrarRpc {
  kRegister,
  kActivate,
  kGetRegisteredAgent,
  kListRegisteredAgents,
  kDeleteRegisteredAgent,
};

// "Register", "GetRegisteredAgent", ...
absl::string_view RpcName(RegistrarRpc rpc);

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual absl::Status Authorize(const grpc::ServerContext& context,
                                 RegistrarRpc rpc) const = 0;
};

class RoleAuthorizer final : public Authorizer {
 public:
  // `roles` is not owned and must outlive this object.
  explicit RoleAuthorizer(const rpc::Authorizer* roles) : roles_(roles) {}
  absl::Status Authorize(const grpc::ServerContext& context,
                         RegistrarRpc rpc) const override;

 private:
  const rpc::Authorizer* const roles_;
};

class InsecureAllowAllAuthorizer final : public Authorizer {
 public:
  absl::Status Authorize(const grpc::ServerContext&,
                         RegistrarRpc) const override {
    return absl::OkStatus();
  }
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_AUTHORIZER_H_
