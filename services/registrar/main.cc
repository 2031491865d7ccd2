// candor-registrar: enrolls agents (EK certificate chain or allowlist, AK
// checks, MakeCredential/ActivateCredential binding; README.md). main() only
// wires and starts.
#include <spdlog/spdlog.h>

#include <memory>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "lib/log/log.h"
#include "lib/rpc/daemon.h"
#include "lib/rpc/server_security.h"
#include "lib/rpc/signals.h"
#include "lib/metrics/component_metrics.h"
#include "lib/metrics/exporter.h"
#include "services/registrar/authorizer.h"
#include "services/registrar/clock.h"
#include "services/registrar/ek_trust.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/janitor.h"
#include "services/registrar/rate_limiter.h"
#include "services/registrar/registrar_service.h"
#include "services/registrar/store/in_memory_store.h"
#include "services/registrar/store/pg_store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8890", "gRPC listen address");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");
ABSL_FLAG(std::string, database, "",
          "libpq connection string of the PostgreSQL database (e.g. "
          "\"host=db dbname=candor user=registrar\"); empty = in-memory "
          "store, lost at exit (local debugging only)");
ABSL_FLAG(int, db_pool_size, 8, "PostgreSQL connections");
ABSL_FLAG(std::string, ek_ca_dir, "",
          "Directory of EK CA certificates (*.pem, *.crt, *.cer, *.der): "
          "roots and intermediates an EK certificate must chain to");
ABSL_FLAG(std::string, ek_allowlist, "",
          "File of trusted EK hashes (lowercase hex SHA-256 of the EK's "
          "TPM2B_PUBLIC), one per line, # comments: for TPMs without an EK "
          "certificate");
ABSL_FLAG(bool, insecure_accept_any_ek, false,
          "Trust every EK (ek_trust \"unverified\"): tests and the load "
          "simulator only");
ABSL_FLAG(bool, accept_simulated, false,
          "Accept agents that say they are the load simulator");
ABSL_FLAG(absl::Duration, challenge_ttl, absl::Minutes(10),
          "How long a Register challenge can be activated");
ABSL_FLAG(int, max_failed_proofs, 5,
          "Wrong Activate proofs after which a pending challenge is "
          "discarded (0 = unlimited)");
ABSL_FLAG(double, register_rate, 10,
          "Register (and Activate) calls per second per source address "
          "(IPv6: per /64); 0 = unlimited");
ABSL_FLAG(double, register_burst, 20, "Burst size of --register_rate");
ABSL_FLAG(std::string, metrics_listen, "",
          "Serve Prometheus /metrics on this HOST:PORT (empty: off)");

namespace candor::registrar {
namespace {

int Run() {
  // Register and Activate serve agents, which have no Candor certificate:
  // client certificates are optional at the TLS layer and the RPCs that need
  // one are checked by the RoleAuthorizer.
  auto security = rpc::ServerSecurityFromFlags(absl::GetFlag(FLAGS_insecure),
                                               /*require_client_cert=*/false);
  if (!security.ok()) {
    spdlog::error("registrar: {}", security.status().message());
    return 2;
  }
  absl::StatusOr<EkTrust> trust = EkTrust::Load(
      {absl::GetFlag(FLAGS_ek_ca_dir), absl::GetFlag(FLAGS_ek_allowlist),
       absl::GetFlag(FLAGS_insecure_accept_any_ek)});
  if (!trust.ok()) {
    spdlog::error("registrar: {}", trust.status());
    return 2;
  }
  if (absl::GetFlag(FLAGS_insecure_accept_any_ek)) {
    spdlog::warn("registrar: {}", trust->Describe());
  } else {
    spdlog::info("registrar: {}", trust->Describe());
  }

  std::unique_ptr<RegistrarStore> store;
  const std::string database = absl::GetFlag(FLAGS_database);
  if (database.empty()) {
    spdlog::warn(
        "registrar: no --database: registrations are kept in memory "
        "and lost at exit (local debugging only)");
    store = std::make_unique<InMemoryRegistrarStore>();
  } else {
    auto pg = PgRegistrarStore::Open(
        database, static_cast<size_t>(absl::GetFlag(FLAGS_db_pool_size)));
    if (!pg.ok()) {
      spdlog::error("registrar: {}", pg.status());
      return 1;
    }
    spdlog::info("registrar: PostgreSQL {} ({} connections), schema current",
                 (*pg)->pool().description(), (*pg)->pool().size());
    store = std::move(*pg);
  }

  EnrollmentOptions options;
  options.challenge_ttl = absl::GetFlag(FLAGS_challenge_ttl);
  options.max_failed_proofs = absl::GetFlag(FLAGS_max_failed_proofs);
  options.accept_simulated = absl::GetFlag(FLAGS_accept_simulated);
  Enrollment enrollment(store.get(), &*trust, Clock::Real(), options);
  const RateLimiter::Options limits{absl::GetFlag(FLAGS_register_rate),
                                    absl::GetFlag(FLAGS_register_burst)};
  RateLimiter register_limiter(limits, Clock::Real());
  RateLimiter activate_limiter(limits, Clock::Real());
  RoleAuthorizer authorizer(security->authorizer.get());
  auto registry = std::make_shared<prometheus::Registry>();
  metrics::RegistrarMetrics registrar_metrics(registry);
  std::unique_ptr<metrics::Exporter> exporter;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto e = metrics::StartExporter(absl::GetFlag(FLAGS_metrics_listen),
                                    registry);
    if (!e.ok()) {
      spdlog::error("registrar: --metrics_listen: {}", e.status().message());
      return 2;
    }
    exporter = std::move(*e);
    spdlog::info("registrar: /metrics on port {}", exporter->port());
  }
  RegistrarServiceImpl service(&enrollment, &authorizer, &register_limiter,
                               &activate_limiter, &registrar_metrics);
  Janitor janitor(absl::Minutes(5), [&] { return enrollment.PurgeExpired(); });
  rpc::DaemonConfig daemon;
  daemon.component = "registrar";
  daemon.listen_address = absl::GetFlag(FLAGS_listen);
  daemon.credentials = security->credentials;
  daemon.insecure = security->insecure;
  return rpc::ServeUntilSignal(
      daemon, {rpc::ServiceEntry::Of<v1::RegistrarService>(&service)});
}

}  // namespace
}  // namespace candor::registrar

int main(int argc, char** argv) {
  candor::rpc::BlockTerminationSignals();
  // tss2-mu logs every malformed structure an agent sends as an error; the
  // service reports them itself, with context (and must not be flooded).
  setenv("TSS2_LOG", "all+NONE", /*overwrite=*/0);
  absl::SetProgramUsageMessage("Candor registrar: enrolls agents' TPMs");
  absl::ParseCommandLine(argc, argv);
  if (!candor::log::Init("registrar", absl::GetFlag(FLAGS_log_level)).ok()) {
    return 2;
  }
  return candor::registrar::Run();
}
