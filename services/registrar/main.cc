// candor-registrar: enrolls agents (EK certificate chain, AK binding by
// MakeCredential/ActivateCredential). main() only wires and starts.
#include <spdlog/spdlog.h>

#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "lib/log/log.h"
#include "lib/rpc/daemon.h"
#include "lib/rpc/server_security.h"
#include "lib/rpc/signals.h"
#include "services/registrar/registrar_service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8890", "gRPC listen address");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");

int main(int argc, char** argv) {
  candor::rpc::BlockTerminationSignals();
  absl::SetProgramUsageMessage("Candor registrar: enrolls agents' TPMs");
  absl::ParseCommandLine(argc, argv);
  if (!candor::log::Init("registrar", absl::GetFlag(FLAGS_log_level)).ok()) {
    return 2;
  }
  auto security = candor::rpc::ServerSecurityFromFlags(
      absl::GetFlag(FLAGS_insecure), /*require_client_cert=*/false);
  if (!security.ok()) {
    spdlog::error("registrar: {}", security.status().message());
    return 2;
  }
  candor::registrar::RegistrarServiceImpl service;
  return candor::rpc::ServeUntilSignal(
      {"registrar", absl::GetFlag(FLAGS_listen), security->credentials,
       security->insecure},
      {candor::rpc::ServiceEntry::Of<candor::v1::RegistrarService>(&service)});
}
