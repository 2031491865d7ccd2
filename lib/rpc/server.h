// File: lib/rpc/server.h
//
// Starts a gRPC server the way every Candor server runs: the standard health
// service (grpc.health.v1.Health, each registered service and "" SERVING) and
// server reflection on, the message-size limit of limits.h, the given
// credentials. Returns the bound port, so tests can listen on port 0.
//
//   RegistrarServiceImpl impl(...);
//   ABSL_ASSIGN_OR_RETURN(auto server, rpc::StartServer({
//       .listen_address = "0.0.0.0:8890",
//       .credentials = creds,
//       .services = {rpc::ServiceEntry::Of<candor::v1::RegistrarService>(&impl)}}));
//   server->Wait();
#ifndef CANDOR_LIB_RPC_SERVER_H_
#define CANDOR_LIB_RPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::rpc {

struct ServiceEntry {
  std::string name;        // fully qualified, for the health service
  grpc::Service* service;  // not owned; must outlive the server

  // For a generated service class `S` (S::service_full_name()).
  template <typename S>
  static ServiceEntry Of(grpc::Service* impl) {
    return ServiceEntry{S::service_full_name(), impl};
  }
};

struct ServerConfig {
  std::string listen_address;  // "host:port"; port 0 picks a free port
  // Null means insecure (local debugging only; the caller logs it loudly).
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::vector<ServiceEntry> services;
};

// A started server. Destruction shuts it down (1 s grace for calls in flight).
class RunningServer {
 public:
  RunningServer(std::unique_ptr<grpc::Server> server, int port)
      : server_(std::move(server)), port_(port) {}
  ~RunningServer() { Shutdown(absl::Seconds(1)); }

  int port() const { return port_; }
  grpc::Server* server() { return server_.get(); }

  // Marks every service NOT_SERVING, then stops accepting calls and cancels
  // the ones still running after `grace`. Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown() (from another thread or a signal handler thread).
  void Wait() { server_->Wait(); }

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
};

// UNAVAILABLE when the address cannot be bound (the message names it).
absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(
    const ServerConfig& config);

// Channel arguments every Candor client uses (message-size limits, keepalive).
grpc::ChannelArguments ClientChannelArguments();

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_SERVER_H_
