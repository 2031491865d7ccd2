#include "lib/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/rpc/limits.h"

namespace candor::rpc {

absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(
    const ServerConfig& config) {
  // Both are process-wide switches read when a server is built.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(
      config.listen_address,
      config.credentials ? config.credentials
                         : grpc::InsecureServerCredentials(),
      &port);
  // A port already in use is an error, not a port shared with another
  // daemon (gRPC sets SO_REUSEPORT by default: two agents on one port would
  // split the verifier's connections between them).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  for (const ServiceEntry& s : config.services) {
    builder.RegisterService(s.service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config.listen_address,
        " (address in use, not local, or malformed)"));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus(true);
    for (const ServiceEntry& s : config.services) {
      health->SetServingStatus(s.name, true);
    }
  }
  return std::make_unique<RunningServer>(std::move(server), port);
}

void RunningServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  if (grpc::HealthCheckServiceInterface* h = server_->GetHealthCheckService()) {
    h->Shutdown();
  }
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(grace));
}

grpc::ChannelArguments ClientChannelArguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  return args;
}

}  // namespace candor::rpc
