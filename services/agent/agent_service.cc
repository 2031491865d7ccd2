#include "services/agent/agent_service.h"

#include "absl/strings/str_cat.h"
#include "lib/status/grpc_status.h"

namespace candor::agent {

using rpc::Role;

grpc::Status AgentServiceImpl::GetIdentity(grpc::ServerContext* context,
                                           const v1::GetIdentityRequest*,
                                           v1::GetIdentityResponse* response) {
  absl::Status s = authorizer_.Check(*context, {Role::kVerifier},
                                     "AgentService.GetIdentity");
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
  if (metrics_ != nullptr)
    metrics_->QuoteResult(metrics::ResultOf(ev.status()));
  if (!ev.ok()) return ToGrpcStatus(ev.status());
  *response->mutable_evidence() = std::move(*ev);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::DeliverKeyShare(
    grpc::ServerContext* context, const v1::DeliverKeyShareRequest* request,
    v1::DeliverKeyShareResponse* response) {
  absl::Status s;
  switch (request->kind()) {
    case v1::KEY_SHARE_KIND_U:
      s = authorizer_.Check(*context, {Role::kAdmin},
                            "AgentService.DeliverKeyShare (U share)");
      break;
    case v1::KEY_SHARE_KIND_V:
      s = authorizer_.Check(*context, {Role::kVerifier},
                            "AgentService.DeliverKeyShare (V share)");
      break;
    default:
      s = authorizer_.Check(*context, {Role::kAdmin, Role::kVerifier},
                            "AgentService.DeliverKeyShare");
      if (s.ok()) {
        s = absl::InvalidArgumentError(
            "AgentService.DeliverKeyShare: kind must be KEY_SHARE_KIND_U or "
            "KEY_SHARE_KIND_V");
      }
  }
  if (!s.ok()) return ToGrpcStatus(s);
  if (payload_ == nullptr) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "AgentService.DeliverKeyShare: the secure payload is not configured"));
  }
  absl::StatusOr<v1::KeyShareResult> r = payload_->Deliver(*request);
  if (!r.ok()) {
    return ToGrpcStatus(absl::Status(
        r.status().code(),
        absl::StrCat("AgentService.DeliverKeyShare: ", r.status().message())));
  }
  *response->mutable_result() = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::Notify(grpc::ServerContext* context,
                                      const v1::NotifyRequest* request,
                                      v1::NotifyResponse* response) {
  absl::Status s =
      authorizer_.Check(*context, {Role::kVerifier}, "AgentService.Notify");
  if (!s.ok()) return ToGrpcStatus(s);
  if (revocation_ == nullptr) {
    return ToGrpcStatus(absl::FailedPreconditionError(
        "AgentService.Notify: revocation handling is not configured"));
  }
  if (!request->has_notice()) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("AgentService.Notify: notice: missing"));
  }
  absl::StatusOr<v1::NotifyResponse> r = revocation_->Notify(request->notice());
  if (!r.ok()) {
    return ToGrpcStatus(absl::Status(
        r.status().code(),
        absl::StrCat("AgentService.Notify: ", r.status().message())));
  }
  *response = std::move(*r);
  return grpc::Status::OK;
}

}  // namespace candor::agent
