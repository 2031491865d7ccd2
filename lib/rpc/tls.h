// File: lib/rpc/tls.h
//
// TLS for Candor's gRPC servers and clients (DESIGN.md "Identity, mTLS and who
// may call what"). Servers present a certificate and require client
// certificates issued by the Candor CA; clients trust either the Candor CA
// (registrar, verifier) or exactly one pinned certificate (an agent's
// self-signed certificate, with the agent id as TLS target name).
// Private keys are held in SecretBytes and never logged.
#ifndef CANDOR_LIB_RPC_TLS_H_
#define CANDOR_LIB_RPC_TLS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/crypto/secret.h"

namespace candor::rpc {

struct TlsServerConfig {
  std::string cert_pem;            // the server's certificate (chain)
  crypto::SecretBytes key_pem;     // its private key
  std::string client_ca_pem;       // CA for client certificates
  bool require_client_cert = true;  // false: request and verify if sent
};

struct TlsClientConfig {
  std::string root_pem;        // trust anchors, or the one pinned certificate
  std::string cert_pem;        // client certificate; empty: none
  crypto::SecretBytes key_pem;  // its key
  std::string target_name;     // TLS name to check instead of the host
};

// Reads PEM files. Errors (NOT_FOUND / INVALID_ARGUMENT) name the file and
// the flag it came from.
absl::StatusOr<TlsServerConfig> LoadTlsServerConfig(
    const std::string& cert_path, const std::string& key_path,
    const std::string& client_ca_path);
absl::StatusOr<TlsClientConfig> LoadTlsClientConfig(
    const std::string& ca_path, const std::string& cert_path,
    const std::string& key_path);

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(
    const TlsServerConfig& config);

// A channel to `address` with Candor's channel arguments; plaintext when
// `tls` is null (insecure mode only).
std::shared_ptr<grpc::Channel> Dial(const std::string& address,
                                    const TlsClientConfig* tls);

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_TLS_H_
