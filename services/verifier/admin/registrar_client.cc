#include "services/verifier/admin/registrar_client.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/status/grpc_status.h"

namespace candor::verifier {

absl::Status MapRegistrarError(const grpc::Status& status,
                               absl::string_view registrar_address,
                               absl::string_view agent_id) {
  if (status.ok()) return absl::OkStatus();
  const std::string detail = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(absl::StrCat(
          "registrar at ", registrar_address, " unreachable: ", detail));
    case grpc::StatusCode::NOT_FOUND:
      return absl::FailedPreconditionError(absl::StrCat(
          "agent ", agent_id, " is not registered at the registrar"));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::InternalError(absl::StrCat(
          "registrar at ", registrar_address,
          " refused the verifier's client certificate (check the verifier's "
          "--tls_* client configuration): ",
          detail));
    default:
      return FromGrpcStatus(
          status, absl::StrCat("RegistrarService.GetRegisteredAgent at ",
                               registrar_address));
  }
}

GrpcRegistrarClient::GrpcRegistrarClient(std::string address,
                                         const rpc::TlsClientConfig* tls,
                                         absl::Duration timeout)
    : address_(std::move(address)),
      timeout_(timeout),
      stub_(v1::RegistrarService::NewStub(rpc::Dial(address_, tls))) {}

absl::StatusOr<v1::RegisteredAgent> GrpcRegistrarClient::GetRegisteredAgent(
    absl::string_view agent_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  v1::GetRegisteredAgentRequest request;
  request.set_agent_id(std::string(agent_id));
  v1::RegisteredAgent response;
  grpc::Status status = stub_->GetRegisteredAgent(&context, request, &response);
  if (!status.ok()) return MapRegistrarError(status, address_, agent_id);
  return response;
}

}  // namespace candor::verifier
