// File: services/verifier/attestor/agent_connector.h
//
// How the attestation loop reaches agents (AgentService), behind a small
// interface so the loop runs against fakes in unit tests. Calls are
// asynchronous: `done` runs exactly once, on some other thread (gRPC's
// callback threads for GrpcAgentConnector), with the answer or the RPC's
// status (absl codes; UNAVAILABLE / DEADLINE_EXCEEDED for an agent that does
// not answer). `done` must not block for long.
//
// A connection is for one agent identity and address; Connect() is called
// again after the agent's address changes. Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_AGENT_CONNECTOR_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_AGENT_CONNECTOR_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "candor/v1/agent.pb.h"

namespace candor::verifier {

template <typename T>
using Done = std::function<void(absl::StatusOr<T>)>;

class AgentConnection {
 public:
  virtual ~AgentConnection() = default;
  virtual void GetQuote(const v1::GetQuoteRequest& request,
                        absl::Duration timeout,
                        Done<v1::GetQuoteResponse> done) = 0;
  virtual void DeliverKeyShare(const v1::DeliverKeyShareRequest& request,
                               absl::Duration timeout,
                               Done<v1::DeliverKeyShareResponse> done) = 0;
  virtual void Notify(const v1::NotifyRequest& request, absl::Duration timeout,
                      Done<v1::NotifyResponse> done) = 0;
};

class AgentConnector {
 public:
  virtual ~AgentConnector() = default;
  // A connection to the agent `agent_id` at `address` whose TLS certificate
  // (DER) is `tls_certificate` (pinned). INVALID_ARGUMENT for a certificate
  // that does not parse.
  virtual absl::StatusOr<std::shared_ptr<AgentConnection>> Connect(
      const std::string& agent_id, const std::string& address,
      const std::string& tls_certificate) = 0;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_AGENT_CONNECTOR_H_
