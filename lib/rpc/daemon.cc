#include "lib/rpc/daemon.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "lib/log/log.h"  // fmt formatters for absl types
#include "lib/rpc/signals.h"

namespace candor::rpc {

int ServeUntilSignal(const DaemonConfig& config,
                     const std::vector<ServiceEntry>& services) {
  if (config.credentials == nullptr && !config.insecure) {
    spdlog::error("{}: no transport security configured", config.component);
    return 2;
  }
  if (config.insecure) log::WarnInsecure(config.component);
  ServerConfig server_config{config.listen_address, config.credentials,
                             services};
  absl::StatusOr<std::unique_ptr<RunningServer>> server =
      StartServer(server_config);
  if (!server.ok()) {
    spdlog::error("{}: {}", config.component, server.status().message());
    return 1;
  }
  std::string names;
  for (const ServiceEntry& s : services) names += " " + s.name;
  spdlog::info("{} listening on {} (port {}, {}), serving{} + "
               "grpc.health.v1 + reflection",
               config.component, config.listen_address, (*server)->port(),
               config.insecure ? "INSECURE plaintext" : "mTLS", names);
  absl::Notification stop;
  std::thread background;
  if (config.background) {
    background = std::thread([&config, &stop] { config.background(stop); });
  }
  int sig = WaitForTerminationSignal();
  spdlog::info("{}: signal {} received, shutting down", config.component, sig);
  stop.Notify();
  if (background.joinable()) background.join();
  (*server)->Shutdown(config.shutdown_grace);
  spdlog::info("{}: stopped", config.component);
  return 0;
}

}  // namespace candor::rpc
