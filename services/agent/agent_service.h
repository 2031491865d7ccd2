// File: services/agent/agent_service.h
//
// The gRPC adapter for candor.v1.AgentService (protos/candor/v1/agent.proto):
// checks the caller's role, calls AgentCore, maps the status with
// candor::ToGrpcStatus. GetIdentity, GetQuote, Notify and DeliverKeyShare
// kind V need a verifier certificate; DeliverKeyShare kind U an admin one.
// DeliverKeyShare goes to SecurePayload, Notify to RevocationHandler (each
// answers FAILED_PRECONDITION when not configured). No RPC holds a lock
// another RPC waits for, except GetQuote/GetIdentity on the TPM.
#ifndef CANDOR_SERVICES_AGENT_AGENT_SERVICE_H_
#define CANDOR_SERVICES_AGENT_AGENT_SERVICE_H_

#include "candor/v1/agent.grpc.pb.h"
#include "lib/metrics/component_metrics.h"
#include "lib/rpc/auth.h"
#include "services/agent/agent_core.h"
#include "services/agent/revocation_handler.h"
#include "services/agent/secure_payload.h"

namespace candor::agent {

class AgentServiceImpl final : public candor::v1::AgentService::Service {
 public:
  // None is owned; all must outlive the service. `metrics` may be null.
  // `payload` and `revocation` may be null (those RPCs then answer
  // FAILED_PRECONDITION).
  AgentServiceImpl(AgentCore& core, const rpc::Authorizer& authorizer,
                   metrics::AgentMetrics* metrics = nullptr,
                   SecurePayload* payload = nullptr,
                   RevocationHandler* revocation = nullptr)
      : core_(core),
        authorizer_(authorizer),
        metrics_(metrics),
        payload_(payload),
        revocation_(revocation) {}

  grpc::Status GetIdentity(grpc::ServerContext* context,
                           const v1::GetIdentityRequest* request,
                           v1::GetIdentityResponse* response) override;
  grpc::Status GetQuote(grpc::ServerContext* context,
                        const v1::GetQuoteRequest* request,
                        v1::GetQuoteResponse* response) override;
  grpc::Status DeliverKeyShare(grpc::ServerContext* context,
                               const v1::DeliverKeyShareRequest* request,
                               v1::DeliverKeyShareResponse* response) override;
  grpc::Status Notify(grpc::ServerContext* context,
                      const v1::NotifyRequest* request,
                      v1::NotifyResponse* response) override;

 private:
  AgentCore& core_;
  const rpc::Authorizer& authorizer_;
  metrics::AgentMetrics* const metrics_;
  SecurePayload* const payload_;
  RevocationHandler* const revocation_;
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_AGENT_SERVICE_H_
