// File: services/registrar/registrar_service.h
//
// The gRPC adapter for candor.v1.RegistrarService
// (protos/candor/v1/registrar.proto), sync API. Each RPC: Authorizer (see
// authorizer.h), then for Register and Activate the per-source rate limit
// (RESOURCE_EXHAUSTED naming the limit), then the domain call
// (enrollment.h), its Status mapped with candor::ToGrpcStatus. Refusals are
// logged at warn with the peer; sensitive fields (the proof) never are.
//
// Thread-safe (gRPC calls the methods from many threads). Nothing is owned;
// everything passed in must outlive the service. Limiters may be null (no
// limit).
#ifndef CANDOR_SERVICES_REGISTRAR_REGISTRAR_SERVICE_H_
#define CANDOR_SERVICES_REGISTRAR_REGISTRAR_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "candor/v1/registrar.grpc.pb.h"
#include "lib/metrics/component_metrics.h"
#include "services/registrar/authorizer.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/rate_limiter.h"

namespace candor::registrar {

class RegistrarServiceImpl final : public v1::RegistrarService::Service {
 public:
  // `metrics` may be null (no /metrics); none is owned.
  RegistrarServiceImpl(Enrollment* enrollment, const Authorizer* authorizer,
                       RateLimiter* register_limiter,
                       RateLimiter* activate_limiter,
                       metrics::RegistrarMetrics* metrics = nullptr)
      : enrollment_(enrollment),
        authorizer_(authorizer),
        register_limiter_(register_limiter),
        activate_limiter_(activate_limiter),
        metrics_(metrics) {}

  grpc::Status Register(grpc::ServerContext* context,
                        const v1::RegisterRequest* request,
                        v1::RegisterResponse* response) override;
  grpc::Status Activate(grpc::ServerContext* context,
                        const v1::ActivateRequest* request,
                        v1::RegisteredAgent* response) override;
  grpc::Status GetRegisteredAgent(grpc::ServerContext* context,
                                  const v1::GetRegisteredAgentRequest* request,
                                  v1::RegisteredAgent* response) override;
  grpc::Status ListRegisteredAgents(
      grpc::ServerContext* context,
      const v1::ListRegisteredAgentsRequest* request,
      v1::ListRegisteredAgentsResponse* response) override;
  grpc::Status DeleteRegisteredAgent(
      grpc::ServerContext* context,
      const v1::DeleteRegisteredAgentRequest* request,
      v1::DeleteRegisteredAgentResponse* response) override;

 private:
  // Authorization and (for a non-null limiter) the rate limit.
  absl::Status Admit(const grpc::ServerContext& context, RegistrarRpc rpc,
                     RateLimiter* limiter) const;
  grpc::Status Finish(const grpc::ServerContext& context, RegistrarRpc rpc,
                      absl::string_view agent_id,
                      const absl::Status& status) const;

  Enrollment* const enrollment_;
  const Authorizer* const authorizer_;
  RateLimiter* const register_limiter_;
  RateLimiter* const activate_limiter_;
  metrics::RegistrarMetrics* const metrics_;
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_REGISTRAR_SERVICE_H_
