#include "tools/agent_sim/sim_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/status/grpc_status.h"

namespace candor::agent_sim {

using rpc::Role;

absl::string_view AgentIdFromAuthority(absl::string_view authority) {
  const size_t colon = authority.rfind(':');
  if (colon == absl::string_view::npos) return authority;
  absl::string_view port = authority.substr(colon + 1);
  for (char c : port) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return authority;
  }
  return authority.substr(0, colon);
}

absl::StatusOr<VirtualAgent*> SimAgentService::Find(
    grpc::ServerContext& context, std::initializer_list<Role> roles,
    absl::string_view rpc) {
  absl::Status s = authorizer_.Check(context, roles, rpc);
  if (!s.ok()) {
    ++stats_.denied;
    return s;
  }
  grpc::string_ref authority = context.ExperimentalGetAuthority();
  absl::string_view id = AgentIdFromAuthority(
      absl::string_view(authority.data(), authority.size()));
  auto it = agents_.find(id);
  if (it == agents_.end()) {
    ++stats_.unknown_agent;
    return absl::NotFoundError(absl::StrCat(
        rpc, ": no simulated agent is named \"", absl::CEscape(id),
        "\" (connect with the agent id as TLS target name / :authority)"));
  }
  return it->second;
}

grpc::Status SimAgentService::GetIdentity(grpc::ServerContext* context,
                                          const v1::GetIdentityRequest*,
                                          v1::GetIdentityResponse* response) {
  absl::StatusOr<VirtualAgent*> agent =
      Find(*context, {Role::kVerifier}, "AgentService.GetIdentity");
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  absl::StatusOr<v1::GetIdentityResponse> r = (*agent)->GetIdentity();
  if (!r.ok()) {
    if (r.status().code() == absl::StatusCode::kUnavailable)
      ++stats_.unavailable;
    return ToGrpcStatus(r.status());
  }
  ++stats_.get_identity;
  *response = std::move(*r);
  return grpc::Status::OK;
}

grpc::Status SimAgentService::GetQuote(grpc::ServerContext* context,
                                       const v1::GetQuoteRequest* request,
                                       v1::GetQuoteResponse* response) {
  absl::StatusOr<VirtualAgent*> agent =
      Find(*context, {Role::kVerifier}, "AgentService.GetQuote");
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  absl::StatusOr<v1::Evidence> ev =
      (*agent)->GetEvidence(request->request(), absl::Now());
  if (!ev.ok()) {
    if (ev.status().code() == absl::StatusCode::kUnavailable) {
      ++stats_.unavailable;
    } else {
      ++stats_.quote_errors;
    }
    return ToGrpcStatus(ev.status());
  }
  ++stats_.get_quote;
  stats_.ima_lines_sent += ev->ima_entries().lines_size();
  *response->mutable_evidence() = std::move(*ev);
  return grpc::Status::OK;
}

grpc::Status SimAgentService::DeliverKeyShare(
    grpc::ServerContext* context, const v1::DeliverKeyShareRequest* request,
    v1::DeliverKeyShareResponse* response) {
  Role role;
  switch (request->kind()) {
    case v1::KEY_SHARE_KIND_U:
      role = Role::kAdmin;
      break;
    case v1::KEY_SHARE_KIND_V:
      role = Role::kVerifier;
      break;
    default:
      return ToGrpcStatus(absl::InvalidArgumentError(
          "AgentService.DeliverKeyShare: kind must be U or V"));
  }
  absl::StatusOr<VirtualAgent*> agent =
      Find(*context, {role}, "AgentService.DeliverKeyShare");
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  if ((*agent)->stopped()) {
    ++stats_.unavailable;
    return ToGrpcStatus(absl::UnavailableError(
        absl::StrCat("agent ", (*agent)->id(), " is stopped")));
  }
  // The shape checks of the contract (the share itself is not decrypted).
  absl::Status bad;
  if (request->encrypted_share().size() != 256) {
    bad = absl::InvalidArgumentError(absl::StrCat(
        "encrypted_share is ", request->encrypted_share().size(),
        " bytes; RSA-OAEP to the RSA-2048 transport key gives 256"));
  } else if (request->kind() == v1::KEY_SHARE_KIND_U &&
             request->auth_tag().size() != 48) {
    bad = absl::InvalidArgumentError(absl::StrCat(
        "auth_tag is ", request->auth_tag().size(), " bytes; it must be 48"));
  } else if (request->kind() == v1::KEY_SHARE_KIND_V &&
             (!request->auth_tag().empty() ||
              !request->encrypted_payload().empty())) {
    bad = absl::InvalidArgumentError(
        "auth_tag and encrypted_payload must be empty for a V share");
  }
  if (!bad.ok()) {
    return ToGrpcStatus(absl::Status(
        bad.code(),
        absl::StrCat("AgentService.DeliverKeyShare: ", bad.message())));
  }
  ++stats_.key_shares;
  response->mutable_result()->set_key_recombined(false);
  response->mutable_result()->set_detail(
      "simulated agent: key share accepted and counted, not used");
  return grpc::Status::OK;
}

grpc::Status SimAgentService::Notify(grpc::ServerContext* context,
                                     const v1::NotifyRequest* request,
                                     v1::NotifyResponse* response) {
  absl::StatusOr<VirtualAgent*> agent =
      Find(*context, {Role::kVerifier}, "AgentService.Notify");
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  if (!request->has_notice()) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("AgentService.Notify: notice: missing"));
  }
  if ((*agent)->stopped()) {
    ++stats_.unavailable;
    return ToGrpcStatus(absl::UnavailableError(
        absl::StrCat("agent ", (*agent)->id(), " is stopped")));
  }
  ++stats_.notifies;
  response->set_actions_run(0);
  response->set_actions_failed(0);
  response->set_duplicate(false);
  return grpc::Status::OK;
}

}  // namespace candor::agent_sim
