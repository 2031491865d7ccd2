// candor-verifier: attests every agent continuously (quotes, IMA, boot log,
// policies), serves the admin API and the event stream. main() only wires
// and starts: PostgreSQL stores, the event hub, the attestation loop, the
// gRPC service and /metrics.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "lib/common/file_util.h"
#include "lib/failure/catalogue.h"
#include "lib/failure/severity_policy.h"
#include "lib/log/log.h"
#include "lib/metrics/component_metrics.h"
#include "lib/metrics/exporter.h"
#include "lib/payload/key_split.h"
#include "lib/revocation/notice.h"
#include "lib/rpc/daemon.h"
#include "lib/rpc/server_security.h"
#include "lib/rpc/signals.h"
#include "lib/rpc/tls.h"
#include "services/verifier/admin/registrar_client.h"
#include "services/verifier/admin/v_share_sealer.h"
#include "services/verifier/attestor/attestor.h"
#include "services/verifier/attestor/grpc_agent_connector.h"
#include "services/verifier/attestor/policy_resolver.h"
#include "services/verifier/policy_cache.h"
#include "services/verifier/store/pg_agent_store.h"
#include "services/verifier/store/pg_policy_store.h"
#include "services/verifier/verifier_service.h"
#include "services/verifier/watch/event_hub.h"
#include "services/verifier/watch/watch_rpc.h"

ABSL_DECLARE_FLAG(std::string, tls_cert);
ABSL_DECLARE_FLAG(std::string, tls_key);
ABSL_DECLARE_FLAG(std::string, tls_ca);

ABSL_FLAG(std::string, listen, "127.0.0.1:8881", "gRPC listen address");
ABSL_FLAG(std::string, advertise, "",
          "Address other replicas and operators reach this replica at "
          "(default: --listen)");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");
ABSL_FLAG(std::string, database, "",
          "libpq connection string of the PostgreSQL database (required), "
          "e.g. \"host=db dbname=candor user=verifier\"");
ABSL_FLAG(int, db_pool_size, 8, "PostgreSQL connections");
ABSL_FLAG(std::string, registrar, "", "Registrar address HOST:PORT (required)");
ABSL_FLAG(std::string, replica_id, "",
          "This replica's id (default: hostname and --listen port). Keep it "
          "stable across restarts: a restarted replica resumes its agents at "
          "once instead of waiting for their leases to expire");
ABSL_FLAG(absl::Duration, quote_interval, absl::Seconds(2),
          "Default pause between two cycles of an agent");
ABSL_FLAG(absl::Duration, min_quote_interval, absl::Milliseconds(100),
          "Smallest quote_interval an agent may be given");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(10),
          "Deadline of each call to an agent");
ABSL_FLAG(absl::Duration, backoff_ceiling, absl::Seconds(60),
          "Longest retry delay for an unreachable agent");
ABSL_FLAG(int, unreachable_after, 2,
          "Consecutive misses after which an agent is UNREACHABLE");
ABSL_FLAG(absl::Duration, lease_duration, absl::Seconds(15),
          "How long a lease on an agent lasts without renewal");
ABSL_FLAG(int, workers, 0,
          "Threads that evaluate cycles (0 = number of CPUs)");
ABSL_FLAG(int, max_in_flight, 2000, "Cycles running at once, at most");
ABSL_FLAG(absl::Duration, batch_window, absl::Milliseconds(200),
          "How long routine passes wait to be written together");
ABSL_FLAG(std::string, severity_policy, "",
          "JSON file: {\"fail_severity\": \"error\", \"rules\": [{\"id\": "
          "\"REGEX\", \"severity\": \"LABEL\"}]} (default: the catalogue's "
          "severities, fail at error)");
ABSL_FLAG(std::string, v_share_key_file, "",
          "32-byte key (raw or 64 hex digits) sealing stored V shares; the "
          "same file on every replica. Default: derived from --tls_key");
ABSL_FLAG(std::string, revocation_cert, "",
          "Certificate of the revocation signing key (OU=revocation); empty: "
          "no revocation notices are sent");
ABSL_FLAG(std::string, revocation_key, "", "Revocation signing key (PEM)");
ABSL_FLAG(absl::Duration, event_retention, absl::Hours(24 * 7),
          "Events older than this are trimmed");
ABSL_FLAG(absl::Duration, watch_heartbeat, absl::Seconds(10),
          "Heartbeat period of idle WatchAttestations streams");
ABSL_FLAG(std::string, metrics_listen, "",
          "Serve Prometheus /metrics on this HOST:PORT (empty: off)");

namespace candor::verifier {
namespace {

std::string DefaultReplicaId(const std::string& listen) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string port = listen.substr(listen.rfind(':') + 1);
  return absl::StrCat(host[0] ? host : "verifier", "-", port);
}

int Fail(absl::string_view what, const absl::Status& s, int code = 2) {
  spdlog::error("verifier: {}: {}", what, s.message());
  return code;
}

int Run() {
  const bool insecure = absl::GetFlag(FLAGS_insecure);
  auto security = rpc::ServerSecurityFromFlags(insecure,
                                               /*require_client_cert=*/true);
  if (!security.ok()) return Fail("transport security", security.status());
  if (absl::GetFlag(FLAGS_database).empty()) {
    return Fail("--database",
                absl::InvalidArgumentError(
                    "required: the verifier keeps its state in PostgreSQL"));
  }
  if (absl::GetFlag(FLAGS_registrar).empty()) {
    return Fail("--registrar", absl::InvalidArgumentError("required"));
  }
  failure::SeverityPolicy severity;
  if (!absl::GetFlag(FLAGS_severity_policy).empty()) {
    auto text = ReadFile(absl::GetFlag(FLAGS_severity_policy));
    if (!text.ok()) return Fail("--severity_policy", text.status());
    auto parsed = failure::SeverityPolicy::Parse(*text);
    if (!parsed.ok()) {
      return Fail(absl::StrCat("--severity_policy ",
                               absl::GetFlag(FLAGS_severity_policy)),
                  parsed.status());
    }
    severity = std::move(*parsed);
  }
  // Client TLS towards agents and the registrar: the verifier certificate.
  std::optional<rpc::TlsClientConfig> client_tls;
  std::optional<VShareSealer> sealer;
  if (!insecure) {
    auto tls = rpc::LoadTlsClientConfig(absl::GetFlag(FLAGS_tls_ca),
                                        absl::GetFlag(FLAGS_tls_cert),
                                        absl::GetFlag(FLAGS_tls_key));
    if (!tls.ok()) return Fail("client TLS", tls.status());
    client_tls = std::move(*tls);
  }
  if (!absl::GetFlag(FLAGS_v_share_key_file).empty()) {
    auto s = VShareSealer::FromKeyFile(absl::GetFlag(FLAGS_v_share_key_file),
                                       "--v_share_key_file");
    if (!s.ok()) return Fail("--v_share_key_file", s.status());
    sealer.emplace(std::move(*s));
  } else if (client_tls.has_value()) {
    auto s = VShareSealer::FromTlsKeyPem(client_tls->key_pem);
    if (!s.ok()) return Fail("V share sealing key", s.status());
    sealer.emplace(std::move(*s));
  } else {
    return Fail("--v_share_key_file",
                absl::InvalidArgumentError(
                    "required with --insecure (no TLS key to derive it from)"));
  }
  std::optional<revocation::RevocationSigner> signer;
  if (!absl::GetFlag(FLAGS_revocation_cert).empty()) {
    auto s = revocation::LoadRevocationSigner(
        absl::GetFlag(FLAGS_revocation_cert),
        absl::GetFlag(FLAGS_revocation_key));
    if (!s.ok()) return Fail("--revocation_cert/--revocation_key", s.status());
    signer.emplace(std::move(*s));
  } else {
    spdlog::warn(
        "verifier: no --revocation_cert: failures send no revocation notices");
  }

  const size_t pool = static_cast<size_t>(absl::GetFlag(FLAGS_db_pool_size));
  auto policies = PgPolicyStore::Open(absl::GetFlag(FLAGS_database), pool);
  if (!policies.ok()) return Fail("database", policies.status(), 1);
  auto agents = PgAgentStore::Create(&(*policies)->pool());
  if (!agents.ok()) return Fail("database", agents.status(), 1);
  spdlog::info("verifier: PostgreSQL {} ({} connections), schema current",
               (*policies)->pool().description(), (*policies)->pool().size());

  auto registry = std::make_shared<prometheus::Registry>();
  metrics::VerifierMetrics verifier_metrics(registry);
  std::unique_ptr<metrics::Exporter> exporter;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    auto e = metrics::StartExporter(absl::GetFlag(FLAGS_metrics_listen),
                                    registry);
    if (!e.ok()) return Fail("--metrics_listen", e.status());
    exporter = std::move(*e);
    spdlog::info("verifier: /metrics on port {}", exporter->port());
  }

  const std::string listen = absl::GetFlag(FLAGS_listen);
  const std::string replica_id = absl::GetFlag(FLAGS_replica_id).empty()
                                     ? DefaultReplicaId(listen)
                                     : absl::GetFlag(FLAGS_replica_id);
  PolicyCache cache(policies->get());
  PolicyResolver resolver(policies->get(), &cache, absl::Seconds(1));
  EventHub hub(agents->get(), EventHub::Options());
  std::optional<rpc::TlsClientConfig> agent_tls;
  if (client_tls.has_value()) {
    agent_tls.emplace();
    agent_tls->cert_pem = client_tls->cert_pem;
    agent_tls->key_pem = client_tls->key_pem.Clone();
  }
  GrpcAgentConnector connector(std::move(agent_tls));
  GrpcRegistrarClient registrar(absl::GetFlag(FLAGS_registrar),
                                client_tls ? &*client_tls : nullptr);

  Attestor::Options options;
  options.replica_id = replica_id;
  options.address = absl::GetFlag(FLAGS_advertise).empty()
                        ? listen
                        : absl::GetFlag(FLAGS_advertise);
  options.default_interval = absl::GetFlag(FLAGS_quote_interval);
  options.rpc_timeout = absl::GetFlag(FLAGS_rpc_timeout);
  options.backoff_ceiling = absl::GetFlag(FLAGS_backoff_ceiling);
  options.unreachable_after = absl::GetFlag(FLAGS_unreachable_after);
  options.lease_duration = absl::GetFlag(FLAGS_lease_duration);
  options.lease_renew = options.lease_duration / 3;
  options.workers = absl::GetFlag(FLAGS_workers) > 0
                        ? absl::GetFlag(FLAGS_workers)
                        : static_cast<int>(std::thread::hardware_concurrency());
  options.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  options.commits.window = absl::GetFlag(FLAGS_batch_window);
  Attestor::Deps deps;
  deps.store = agents->get();
  deps.policies = &resolver;
  deps.connector = &connector;
  deps.hub = &hub;
  deps.severity = &severity;
  deps.metrics = &verifier_metrics;
  deps.open_v_share = [&sealer](const std::string& sealed) {
    return sealer->Open(sealed);
  };
  deps.wrap_share = [](absl::string_view spki, const crypto::SecretBytes& s) {
    return payload::WrapShare(spki, s);
  };
  if (signer.has_value()) {
    deps.sign_notice = [&signer](const v1::RevocationMessage& m) {
      return revocation::SignNotice(m, *signer);
    };
  }
  Attestor attestor(options, deps);
  attestor.Attach();

  WatchRpc::Options watch_options;
  watch_options.heartbeat = absl::GetFlag(FLAGS_watch_heartbeat);
  watch_options.on_subscriber = [&verifier_metrics](int delta) {
    if (delta > 0) {
      verifier_metrics.WatchSubscriberOpened();
    } else {
      verifier_metrics.WatchSubscriberClosed();
    }
  };
  WatchRpc watch(agents->get(), &hub, watch_options);

  VerifierServiceDeps service_deps;
  service_deps.agents = agents->get();
  service_deps.policies = policies->get();
  service_deps.registrar = &registrar;
  service_deps.sealer = &*sealer;
  service_deps.authorizer = security->authorizer.get();
  service_deps.replica_id = replica_id;
  service_deps.min_quote_interval = absl::GetFlag(FLAGS_min_quote_interval);
  service_deps.watch = [&watch](grpc::ServerContext* c,
                                const v1::WatchAttestationsRequest* r,
                                grpc::ServerWriter<v1::WatchAttestationsResponse>* w) {
    return watch.Serve(c, r, w);
  };
  VerifierServiceImpl service(std::move(service_deps));

  absl::Status hub_started = hub.Start();
  if (!hub_started.ok()) return Fail("event stream", hub_started, 1);
  spdlog::info("verifier: replica {}; default quote interval {}", replica_id,
               absl::FormatDuration(options.default_interval));

  rpc::DaemonConfig daemon;
  daemon.component = "verifier";
  daemon.listen_address = listen;
  daemon.credentials = security->credentials;
  daemon.insecure = security->insecure;
  const absl::Duration retention = absl::GetFlag(FLAGS_event_retention);
  AgentStore* store = agents->get();
  daemon.background = [&](absl::Notification& stop) {
    attestor.Start();
    while (!stop.WaitForNotificationWithTimeout(absl::Minutes(1))) {
      auto trimmed = store->TrimEvents(absl::Now() - retention);
      if (!trimmed.ok()) {
        spdlog::warn("verifier: trimming events: {}", trimmed.status());
      } else if (*trimmed > 0) {
        spdlog::info("verifier: trimmed {} events older than {}", *trimmed,
                     absl::FormatDuration(retention));
      }
    }
    // Watch streams end with UNAVAILABLE before the server stops; the loop
    // writes what it has and gives up its leases.
    hub.Stop();
    attestor.Stop();
  };
  return rpc::ServeUntilSignal(
      daemon, {rpc::ServiceEntry::Of<v1::VerifierService>(&service)});
}

}  // namespace
}  // namespace candor::verifier

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
  return candor::verifier::Run();
}
