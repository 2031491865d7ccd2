// candor-agent: runs on every node, owns its TPM, serves evidence.
// main() only wires and starts. At start it opens the TPM given by --tcti and
// reads the EK certificate from NV, so a misconfigured TPM shows at once.
#include <spdlog/spdlog.h>

#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "lib/crypto/x509.h"
#include "lib/log/log.h"
#include "lib/rpc/daemon.h"
#include "lib/rpc/server_security.h"
#include "lib/rpc/signals.h"
#include "lib/tpm/esys_context.h"
#include "lib/tpm/nv.h"
#include "services/agent/agent_service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:9002", "gRPC listen address");
ABSL_FLAG(std::string, tcti, "device:/dev/tpmrm0",
          "TPM to use, as a tpm2-tss TCTI string "
          "(e.g. swtpm:host=127.0.0.1,port=2321)");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");

namespace {

// Opens the TPM and reports its EK certificates; false if the TPM is unusable.
bool CheckTpm(const std::string& tcti) {
  auto ctx = candor::tpm::EsysContext::Open(tcti);
  if (!ctx.ok()) {
    spdlog::error("cannot open the TPM: {}", ctx.status().message());
    return false;
  }
  for (auto type : {candor::tpm::EkType::kRsa, candor::tpm::EkType::kEcc}) {
    const char* name = type == candor::tpm::EkType::kRsa ? "RSA" : "ECC";
    auto der = candor::tpm::ReadEkCertificate(**ctx, type);
    if (!der.ok()) {
      spdlog::warn("{} EK certificate: {}", name, der.status().message());
      continue;
    }
    auto cert = candor::crypto::ParseCertificate(*der);
    if (!cert.ok()) {
      spdlog::warn("{} EK certificate ({} bytes) does not parse: {}", name,
                   der->size(), cert.status().message());
      continue;
    }
    spdlog::info("{} EK certificate: {} bytes, issuer {}", name, der->size(),
                 candor::crypto::IssuerString(cert->get()));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  candor::rpc::BlockTerminationSignals();
  absl::SetProgramUsageMessage("Candor agent: serves TPM evidence");
  absl::ParseCommandLine(argc, argv);
  if (!candor::log::Init("agent", absl::GetFlag(FLAGS_log_level)).ok()) {
    return 2;
  }
  if (!CheckTpm(absl::GetFlag(FLAGS_tcti))) return 1;
  auto security = candor::rpc::ServerSecurityFromFlags(
      absl::GetFlag(FLAGS_insecure), /*require_client_cert=*/true);
  if (!security.ok()) {
    spdlog::error("agent: {}", security.status().message());
    return 2;
  }
  candor::agent::AgentServiceImpl service;
  return candor::rpc::ServeUntilSignal(
      {"agent", absl::GetFlag(FLAGS_listen), security->credentials,
       security->insecure},
      {candor::rpc::ServiceEntry::Of<candor::v1::AgentService>(&service)});
}
