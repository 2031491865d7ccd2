// File: lib/rpc/server_security.h
//
// The transport security of a Candor daemon, from its flags:
//   --tls_cert, --tls_key   the server's certificate and key (PEM)
//   --tls_ca                the Candor CA (client certificates must chain to it)
// or the daemon's own --insecure (plaintext, no authentication; local
// debugging only, logged loudly). Exactly one of the two must be given.
#ifndef CANDOR_LIB_RPC_SERVER_SECURITY_H_
#define CANDOR_LIB_RPC_SERVER_SECURITY_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "lib/rpc/auth.h"

namespace candor::rpc {

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;  // null if insecure
  std::unique_ptr<Authorizer> authorizer;
  bool insecure = false;
};

// `require_client_cert`: false for servers that also serve callers without
// a Candor certificate (the registrar's Register/Activate); their protected
// RPCs are still checked by the authorizer. FAILED_PRECONDITION when neither
// TLS files nor --insecure were given; INVALID_ARGUMENT when both were, or
// only some TLS files; file errors name the file.
absl::StatusOr<ServerSecurity> ServerSecurityFromFlags(bool insecure,
                                                       bool require_client_cert);

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_SERVER_SECURITY_H_
