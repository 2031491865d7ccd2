// File: lib/rpc/daemon.h
//
// The life of every Candor daemon's main(): start the gRPC server (health and
// reflection on), log where it listens, run the optional background work,
// block until SIGINT/SIGTERM, then shut down gracefully. Call
// BlockTerminationSignals() first thing in main().
#ifndef CANDOR_LIB_RPC_DAEMON_H_
#define CANDOR_LIB_RPC_DAEMON_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "lib/rpc/server.h"

namespace candor::rpc {

struct DaemonConfig {
  std::string component;       // "registrar", for logs
  std::string listen_address;  // "host:port"
  // TLS credentials (lib/rpc/server_security.h); null only when insecure.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  bool insecure = false;  // plaintext, no authentication (logged loudly)
  absl::Duration shutdown_grace = absl::Seconds(5);
  // Optional work run on its own thread once the server listens (e.g. the
  // agent's enrollment). `stop` is notified at shutdown; it must return soon
  // after, and is joined before the server stops.
  std::function<void(absl::Notification& stop)> background = nullptr;
};

// Returns the process exit code: 0 after a clean stop, 1 if the server could
// not start (the reason is logged), 2 for a configuration error.
int ServeUntilSignal(const DaemonConfig& config,
                     const std::vector<ServiceEntry>& services);

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_DAEMON_H_
