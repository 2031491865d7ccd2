#include "services/agent/agent_service.h"

#include "lib/status/grpc_status.h"

namespace candor::agent {

using rpc::Role;

grpc::Status AgentServiceImpl::GetIdentity(grpc::ServerContext* context,
                                           const v1::GetIdentityRequest*,
                                           v1::GetIdentityResponse* response) {
  absl::Status s =
      authorizer_.Check(*context, {Role::kVerifier}, "AgentService.GetIdentity");
  if (!s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<v1::GetIdentityResponse> r = core_.GetIdentity();
  if (!r.ok()) return ToGrpcStatus(r.status());
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::GetQuote(grpc::ServerContext* context,
                                        const v1::GetQuoteRequest* request,
                                        v1::GetQuoteResponse* response) {
  absl::Status s =
      authorizer_.Check(*context, {Role::kVerifier}, "AgentService.GetQuote");
  if (!s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<v1::Evidence> ev = core_.GetEvidence(request->request());
  if (metrics_ != nullptr) metrics_->QuoteResult(metrics::ResultOf(ev.status()));
  if (!ev.ok()) return ToGrpcStatus(ev.status());
  *response->mutable_evidence() = std::move(*ev);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::DeliverKeyShare(
    grpc::ServerContext*, const v1::DeliverKeyShareRequest*,
    v1::DeliverKeyShareResponse*) {
  return ToGrpcStatus(absl::UnimplementedError(
      "AgentService.DeliverKeyShare: secure payload delivery is not "
      "implemented in this version"));
}

grpc::Status AgentServiceImpl::Notify(grpc::ServerContext*,
                                      const v1::NotifyRequest*,
                                      v1::NotifyResponse*) {
  return ToGrpcStatus(absl::UnimplementedError(
      "AgentService.Notify: revocation actions are not implemented in this "
      "version"));
}

}  // namespace candor::agent
