#include "lib/rpc/daemon.h"

#include <spdlog/spdlog.h>

#include "lib/log/log.h"  // fmt formatters for absl types
#include "lib/rpc/signals.h"

namespace candor::rpc {

int ServeUntilSignal(const DaemonConfig& config,
                     const std::vector<ServiceEntry>& services) {
  if (!config.insecure) {
    spdlog::error(
        "{}: TLS server credentials are not configurable in this build yet "
        "(mTLS comes with `tenant certs init`); start with --insecure for "
        "local debugging",
        config.component);
    return 2;
  }
  log::WarnInsecure(config.component);
  ServerConfig server_config{config.listen_address, nullptr, services};
  absl::StatusOr<std::unique_ptr<RunningServer>> server =
      StartServer(server_config);
  if (!server.ok()) {
    spdlog::error("{}: {}", config.component, server.status().message());
    return 1;
  }
  std::string names;
  for (const ServiceEntry& s : services) names += " " + s.name;
  spdlog::info("{} listening on {} (port {}), serving{} + grpc.health.v1 + "
               "reflection",
               config.component, config.listen_address, (*server)->port(),
               names);
  int sig = WaitForTerminationSignal();
  spdlog::info("{}: signal {} received, shutting down", config.component, sig);
  (*server)->Shutdown(config.shutdown_grace);
  spdlog::info("{}: stopped", config.component);
  return 0;
}

}  // namespace candor::rpc
