// File: services/verifier/attestor/grpc_agent_connector.h
//
// AgentConnector over gRPC (callback API): mTLS with the verifier's client
// certificate, trusting exactly the agent's registered self-signed
// certificate with the agent id as TLS target name (DESIGN.md "Identity,
// mTLS"); plaintext when constructed with null TLS (--insecure only).
// One channel per connection; gRPC reconnects by itself. Thread-safe.
//
// gRPC 1.51 runs callback-API calls on a process-wide "callback alternative"
// completion queue that it creates when the first channel needs it and tears
// down when the last such channel goes; creating it again while its threads
// still run aborts the process (seen as SIGABRT/SIGSEGV in
// grpc_cq_internal_unref). The connector therefore pins that queue for the
// life of the process (one idle channel, made once).
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_GRPC_AGENT_CONNECTOR_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_GRPC_AGENT_CONNECTOR_H_

#include <memory>
#include <optional>
#include <string>

#include "lib/rpc/tls.h"
#include "services/verifier/attestor/agent_connector.h"

namespace candor::verifier {

class GrpcAgentConnector : public AgentConnector {
 public:
  // `client` holds the verifier's client certificate and key (its root_pem
  // and target_name are ignored); nullopt = plaintext.
  explicit GrpcAgentConnector(std::optional<rpc::TlsClientConfig> client);

  absl::StatusOr<std::shared_ptr<AgentConnection>> Connect(
      const std::string& agent_id, const std::string& address,
      const std::string& tls_certificate) override;

 private:
  std::optional<rpc::TlsClientConfig> client_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_GRPC_AGENT_CONNECTOR_H_
