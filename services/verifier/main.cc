// candor-verifier: attests every agent continuously (quotes, IMA, boot log,
// policies). main() only wires and starts.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "lib/log/log.h"
#include "lib/rpc/daemon.h"
#include "lib/rpc/server_security.h"
#include "lib/rpc/signals.h"
#include "services/verifier/verifier_service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8881", "gRPC listen address");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");

int main(int argc, char** argv) {
  candor::rpc::BlockTerminationSignals();
  // tss2-mu logs every malformed structure an agent sends as an error; the
  // service reports them itself, with context (and must not be flooded).
  setenv("TSS2_LOG", "all+NONE", /*overwrite=*/0);
  absl::SetProgramUsageMessage("Candor verifier: attests agents continuously");
  absl::ParseCommandLine(argc, argv);
  if (!candor::log::Init("verifier", absl::GetFlag(FLAGS_log_level)).ok()) {
    return 2;
  }
  auto security = candor::rpc::ServerSecurityFromFlags(
      absl::GetFlag(FLAGS_insecure), /*require_client_cert=*/true);
  if (!security.ok()) {
    spdlog::error("verifier: {}", security.status().message());
    return 2;
  }
  candor::verifier::VerifierServiceImpl service;
  candor::rpc::DaemonConfig daemon;
  daemon.component = "verifier";
  daemon.listen_address = absl::GetFlag(FLAGS_listen);
  daemon.credentials = security->credentials;
  daemon.insecure = security->insecure;
  return candor::rpc::ServeUntilSignal(
      daemon,
      {candor::rpc::ServiceEntry::Of<candor::v1::VerifierService>(&service)});
}
