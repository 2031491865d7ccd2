// candor-agent: runs on every node, owns its TPM, serves evidence, and
// enrolls at the registrar. main() only wires and starts.
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "lib/common/file_util.h"
#include "lib/log/log.h"
#include "lib/metrics/component_metrics.h"
#include "lib/metrics/exporter.h"
#include "lib/revocation/notice.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/daemon.h"
#include "lib/rpc/signals.h"
#include "lib/rpc/tls.h"
#include "lib/tpm/esys_tpm.h"
#include "services/agent/agent_core.h"
#include "services/agent/agent_service.h"
#include "services/agent/enrollment.h"
#include "services/agent/revocation_handler.h"
#include "services/agent/secure_payload.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:9002", "gRPC listen address");
ABSL_FLAG(std::string, advertise, "",
          "Address verifiers reach this agent at, as registered (default: "
          "--listen)");
ABSL_FLAG(std::string, tcti, "device:/dev/tpmrm0",
          "TPM to use, as a tpm2-tss TCTI string "
          "(e.g. swtpm:host=127.0.0.1,port=2321)");
ABSL_FLAG(std::string, ek, "rsa", "EK (and AK parent): rsa or ecc");
ABSL_FLAG(std::string, ak, "rsa", "AK type: rsa (RSA-2048) or ecc (P-256)");
ABSL_FLAG(std::string, agent_id, "",
          "Agent id (e.g. a UUID); default: hex SHA-256 of the EK public");
ABSL_FLAG(std::string, state_dir, "/var/lib/candor/agent",
          "State directory (AK blobs, transport key, TLS key)");
ABSL_FLAG(std::string, ima_log,
          "/sys/kernel/security/ima/ascii_runtime_measurements",
          "IMA ascii measurement log");
ABSL_FLAG(std::string, boot_log,
          "/sys/kernel/security/tpm0/binary_bios_measurements",
          "UEFI (TCG2) boot event log");
ABSL_FLAG(std::string, boot_id_file, "/proc/sys/kernel/random/boot_id",
          "File holding this boot's id");
ABSL_FLAG(std::string, registrar, "",
          "Registrar address host:port; empty: do not enroll");
ABSL_FLAG(std::string, ca, "",
          "The Candor CA certificate (PEM): verifies the registrar and the "
          "callers' client certificates");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, secure_dir, "",
          "Private directory (0700) the secure payload is decrypted into "
          "(as <dir>/payload); default: /dev/shm/candor-<agent id> when "
          "/dev/shm is writable, else <state_dir>/secure");
ABSL_FLAG(std::string, revocation_actions_dir, "",
          "Directory of revocation actions: every executable regular file in "
          "it is run, sorted by name, for each verified revocation notice "
          "(empty: notices are acknowledged, nothing is run)");
ABSL_FLAG(absl::Duration, revocation_action_timeout, absl::Seconds(30),
          "Each revocation action is killed after this long");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");
ABSL_FLAG(std::string, metrics_listen, "",
          "Serve Prometheus /metrics on this HOST:PORT (empty: off)");

namespace {

using candor::agent::AgentCore;

absl::StatusOr<candor::tpm::EkType> ParseEk(const std::string& s) {
  if (s == "rsa") return candor::tpm::EkType::kRsa;
  if (s == "ecc") return candor::tpm::EkType::kEcc;
  return absl::InvalidArgumentError("--ek must be rsa or ecc");
}

absl::StatusOr<candor::tpm::AkType> ParseAk(const std::string& s) {
  if (s == "rsa") return candor::tpm::AkType::kRsa2048;
  if (s == "ecc") return candor::tpm::AkType::kEccP256;
  return absl::InvalidArgumentError("--ak must be rsa or ecc");
}

// Enrolls at the registrar, retrying while it is unreachable.
void EnrollInBackground(AgentCore& core, const std::string& advertise,
                        const candor::rpc::TlsClientConfig* tls,
                        absl::Notification& stop) {
  const std::string registrar = absl::GetFlag(FLAGS_registrar);
  auto client = candor::agent::MakeGrpcRegistrarClient(
      candor::rpc::Dial(registrar, tls), registrar, absl::Seconds(30));
  candor::agent::EnrollmentSubject subject{
      core.identity(), advertise,
      [&core](absl::string_view blob, absl::string_view secret) {
        return core.ActivateCredential(blob, secret);
      }};
  auto result = candor::agent::Enroll(
      subject, *client, candor::agent::Backoff{}, stop,
      [](const absl::Status& s, absl::Duration wait) {
        spdlog::warn("enrollment: {}; retrying in {}", s.message(),
                     absl::FormatDuration(wait));
      });
  if (result.ok()) {
    spdlog::info("enrolled at {} as {}: active", registrar, core.agent_id());
  } else if (result.status().code() != absl::StatusCode::kCancelled) {
    spdlog::error("enrollment refused by the registrar at {}: {}", registrar,
                  result.status().message());
  }
}

}  // namespace

int main(int argc, char** argv) {
  candor::rpc::BlockTerminationSignals();
  // Writing to a revocation action that closed its stdin must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  // tpm2-tss logs expected conditions (an absent NV index, a malformed
  // structure) as errors; Candor reports every failure itself, with context.
  setenv("TSS2_LOG", "all+NONE", /*overwrite=*/0);
  absl::SetProgramUsageMessage("Candor agent: serves TPM evidence");
  absl::ParseCommandLine(argc, argv);
  if (!candor::log::Init("agent", absl::GetFlag(FLAGS_log_level)).ok()) {
    return 2;
  }
  auto ek = ParseEk(absl::GetFlag(FLAGS_ek));
  auto ak = ParseAk(absl::GetFlag(FLAGS_ak));
  if (!ek.ok() || !ak.ok()) {
    spdlog::error("{}", (!ek.ok() ? ek.status() : ak.status()).message());
    return 2;
  }
  const bool insecure = absl::GetFlag(FLAGS_insecure);
  if (!insecure && absl::GetFlag(FLAGS_ca).empty()) {
    spdlog::error("pass --ca (the Candor CA certificate from `tenant certs "
                  "init`), or --insecure for local debugging");
    return 2;
  }
  auto tpm = candor::tpm::EsysTpm::Create(absl::GetFlag(FLAGS_tcti));
  if (!tpm.ok()) {
    spdlog::error("cannot open the TPM: {}", tpm.status().message());
    return 1;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  candor::metrics::AgentMetrics agent_metrics(registry);
  std::unique_ptr<candor::metrics::Exporter> exporter;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto e = candor::metrics::StartExporter(absl::GetFlag(FLAGS_metrics_listen),
                                            registry);
    if (!e.ok()) {
      spdlog::error("--metrics_listen: {}", e.status().message());
      return 2;
    }
    exporter = std::move(*e);
    spdlog::info("/metrics on port {}", exporter->port());
  }
  candor::agent::AgentConfig config;
  config.metrics = &agent_metrics;
  config.agent_id = absl::GetFlag(FLAGS_agent_id);
  config.ek = *ek;
  config.ak = *ak;
  config.state_dir = absl::GetFlag(FLAGS_state_dir);
  config.ima_log_path = absl::GetFlag(FLAGS_ima_log);
  config.boot_log_path = absl::GetFlag(FLAGS_boot_log);
  config.boot_id_path = absl::GetFlag(FLAGS_boot_id_file);
  auto core = AgentCore::Create(config, std::move(*tpm));
  if (!core.ok()) {
    spdlog::error("agent start-up failed: {}", core.status().message());
    return 1;
  }
  spdlog::info("agent {} ready (EK {}, EK certificate: {} bytes)",
               (*core)->agent_id(), absl::GetFlag(FLAGS_ek),
               (*core)->identity().ek_certificate().size());

  std::shared_ptr<grpc::ServerCredentials> creds;
  std::unique_ptr<candor::rpc::Authorizer> authorizer;
  std::optional<candor::rpc::TlsClientConfig> registrar_tls;
  if (insecure) {
    authorizer = candor::rpc::MakeInsecureAuthorizer();
  } else {
    auto ca = candor::ReadFile(absl::GetFlag(FLAGS_ca));
    if (!ca.ok()) {
      spdlog::error("--ca: {}", ca.status().message());
      return 2;
    }
    candor::rpc::TlsServerConfig server_tls;
    server_tls.cert_pem = (*core)->tls().cert_pem;
    server_tls.key_pem = (*core)->tls().key_pem.Clone();
    server_tls.client_ca_pem = *ca;
    creds = candor::rpc::MakeServerCredentials(server_tls);
    authorizer = candor::rpc::MakeMtlsAuthorizer();
    registrar_tls.emplace();
    registrar_tls->root_pem = *ca;
  }
  candor::agent::SecurePayloadConfig payload_config;
  payload_config.agent_id = (*core)->agent_id();
  payload_config.state_dir = (*core)->state_dir();
  payload_config.secure_dir = absl::GetFlag(FLAGS_secure_dir);
  if (payload_config.secure_dir.empty()) {
    payload_config.secure_dir = candor::agent::DefaultSecureDir(
        payload_config.agent_id, payload_config.state_dir);
  }
  payload_config.transport_key = (*core)->transport_key();
  auto secure_payload =
      candor::agent::SecurePayload::Create(std::move(payload_config));
  if (!secure_payload.ok()) {
    spdlog::error("--secure_dir: {}", secure_payload.status().message());
    return 2;
  }
  spdlog::info("secure payloads are decrypted into {}",
               (*secure_payload)->payload_dir());

  std::optional<candor::crypto::CaStore> revocation_ca;
  if (!absl::GetFlag(FLAGS_ca).empty()) {
    auto ca_store = candor::revocation::LoadCaBundle(absl::GetFlag(FLAGS_ca));
    if (!ca_store.ok()) {
      spdlog::error("--ca: {}", ca_store.status().message());
      return 2;
    }
    revocation_ca.emplace(std::move(*ca_store));
  }
  candor::agent::RevocationConfig revocation_config;
  revocation_config.actions_dir = absl::GetFlag(FLAGS_revocation_actions_dir);
  revocation_config.action_timeout =
      absl::GetFlag(FLAGS_revocation_action_timeout);
  revocation_config.cursors_path =
      (*core)->state_dir() + "/revocation_cursors";
  if (revocation_config.action_timeout <= absl::ZeroDuration()) {
    spdlog::error("--revocation_action_timeout must be positive");
    return 2;
  }
  auto revocation = candor::agent::RevocationHandler::Create(
      std::move(revocation_config), std::move(revocation_ca));
  if (!revocation.ok()) {
    spdlog::error("revocation: {}", revocation.status().message());
    return 2;
  }
  if (absl::GetFlag(FLAGS_revocation_actions_dir).empty()) {
    spdlog::info("no --revocation_actions_dir: revocation notices run nothing");
  }

  candor::agent::AgentServiceImpl service(**core, *authorizer, &agent_metrics,
                                          secure_payload->get(),
                                          revocation->get());
  candor::rpc::DaemonConfig daemon;
  daemon.component = "agent";
  daemon.listen_address = absl::GetFlag(FLAGS_listen);
  daemon.credentials = creds;
  daemon.insecure = insecure;
  if (!absl::GetFlag(FLAGS_registrar).empty()) {
    std::string advertise = absl::GetFlag(FLAGS_advertise);
    if (advertise.empty()) advertise = absl::GetFlag(FLAGS_listen);
    AgentCore& agent = **core;
    const candor::rpc::TlsClientConfig* tls =
        registrar_tls ? &*registrar_tls : nullptr;
    daemon.background = [&agent, advertise, tls](absl::Notification& stop) {
      EnrollInBackground(agent, advertise, tls, stop);
    };
  }
  return candor::rpc::ServeUntilSignal(
      daemon,
      {candor::rpc::ServiceEntry::Of<candor::v1::AgentService>(&service)});
}
