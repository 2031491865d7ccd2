// File: lib/rpc/auth.h
//
// Who may call which RPC. With mTLS, a caller's roles are the OU values of
// its verified client certificate (issued by the Candor CA): "admin" (the
// tenant), "verifier" (verifier replicas). Services call
// `authorizer.Check(context, {Role::kAdmin}, "VerifierService.AddAgent")`
// first thing in each RPC and return its status:
//   no client certificate           -> UNAUTHENTICATED
//   a certificate of another role   -> PERMISSION_DENIED (naming the roles)
// The insecure authorizer (--insecure, local debugging only) allows all.
// Implementations are thread-safe.
#ifndef CANDOR_LIB_RPC_AUTH_H_
#define CANDOR_LIB_RPC_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::rpc {

enum class Role { kAdmin, kVerifier, kRevocation };

// "admin", "verifier", "revocation": the OU value for the role.
absl::string_view RoleName(Role role);

// The roles in the peer's verified client certificate. UNAUTHENTICATED when
// the peer presented none (or the channel is not TLS).
absl::StatusOr<std::vector<Role>> PeerRoles(const grpc::AuthContext& auth);

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // OK if the caller has one of `allowed`. `rpc` names the call in errors.
  virtual absl::Status Check(const grpc::ServerContext& context,
                             std::initializer_list<Role> allowed,
                             absl::string_view rpc) const = 0;
};

std::unique_ptr<Authorizer> MakeMtlsAuthorizer();
std::unique_ptr<Authorizer> MakeInsecureAuthorizer();

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_AUTH_H_
