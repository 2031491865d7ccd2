#include "cli/tenant/service_client.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::tenant {

absl::StatusOr<ServiceClient> ServiceClient::Connect(const CommandContext& ctx,
                                                     std::string service,
                                                     std::string flag,
                                                     std::string address) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ch = ctx.Dial(address);
  if (!ch.ok()) return ch.status();
  return ServiceClient(*std::move(ch), std::move(service), std::move(flag),
                       std::move(address));
}

ServiceClient::ServiceClient(std::shared_ptr<grpc::Channel> channel,
                             std::string service, std::string flag,
                             std::string address)
    : channel_(std::move(channel)),
      service_(std::move(service)),
      flag_(std::move(flag)),
      address_(std::move(address)) {}

absl::Status ServiceClient::Unreachable(absl::string_view detail) const {
  return absl::UnavailableError(
      absl::StrCat("cannot reach the ", service_, " at ", address_,
                   " (is it running? ", flag_, "): ", detail));
}

absl::Status ServiceClient::Check(const grpc::Status& status,
                                  absl::string_view rpc,
                                  absl::string_view subject) const {
  if (status.ok()) return absl::OkStatus();
  const std::string& msg = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED: {
      // A server that answered leaves the channel READY; a refused
      // connection, a failed handshake or a timeout while connecting do not.
      bool connected =
          channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
      if (!connected) {
        absl::Status s = Unreachable(absl::StrCat(rpc, ": ", msg));
        if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          return absl::DeadlineExceededError(s.message());
        }
        return s;
      }
      if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
        return absl::DeadlineExceededError(
            absl::StrCat("the ", service_, " at ", address_, " did not answer ",
                         rpc, " in time (--timeout): ", msg));
      }
      return absl::UnavailableError(absl::StrCat("the ", service_, " at ",
                                                 address_, " is unavailable (",
                                                 rpc, "): ", msg, "; retry"));
    }
    case grpc::StatusCode::NOT_FOUND:
      if (!subject.empty()) {
        return absl::NotFoundError(absl::StrCat(subject, " not found at the ",
                                                service_, " at ", address_,
                                                " (", rpc, ": ", msg, ")"));
      }
      break;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::Status(
          static_cast<absl::StatusCode>(status.error_code()),
          absl::StrCat("the ", service_, " at ", address_, " refused ", rpc,
                       ": ", msg,
                       " (an admin certificate from `tenant certs init` is "
                       "needed; --certs DIR)"));
    default:
      break;
  }
  int code = static_cast<int>(status.error_code());
  if (code < 0 || code > 16)
    code = static_cast<int>(absl::StatusCode::kUnknown);
  return absl::Status(
      static_cast<absl::StatusCode>(code),
      absl::StrCat(service_, " at ", address_, " (", rpc, "): ", msg));
}

CLI::Option* AddVerifierOption(CLI::App* cmd, std::string* address) {
  return cmd
      ->add_option("--verifier", *address,
                   "Verifier address HOST:PORT (any replica; "
                   "$CANDOR_VERIFIER)")
      ->envname("CANDOR_VERIFIER")
      ->required();
}

absl::StatusOr<ServiceClient> ConnectVerifier(const CommandContext& ctx,
                                              const std::string& address) {
  return ServiceClient::Connect(ctx, "verifier", "--verifier", address);
}

}  // namespace candor::tenant
