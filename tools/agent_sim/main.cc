// agent_sim: one process serving thousands of virtual Candor agents for load
// tests (README.md). main() only wires: flags, the fleet, the gRPC server,
// enrollment at the registrar, then the stdin command loop until `quit` or
// SIGINT/SIGTERM. Protocol lines (ready, ok, error, stats) go to stdout;
// logs go to stderr.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "lib/common/file_util.h"
#include "lib/log/log.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/server.h"
#include "lib/rpc/signals.h"
#include "lib/rpc/tls.h"
#include "tools/agent_sim/commands.h"
#include "tools/agent_sim/enroller.h"
#include "tools/agent_sim/fleet.h"
#include "tools/agent_sim/sim_service.h"

ABSL_FLAG(uint64_t, count, 100, "Number of virtual agents (1-99999)");
ABSL_FLAG(std::string, listen, "127.0.0.1:9100",
          "gRPC listen address of every virtual agent (port 0: any)");
ABSL_FLAG(std::string, advertise_host, "",
          "Host registered as every agent's address (with the bound port); "
          "default: the host of --listen");
ABSL_FLAG(std::string, registrar, "",
          "Registrar HOST:PORT to enroll at; empty: do not enroll");
ABSL_FLAG(std::string, ca, "",
          "The Candor CA certificate (PEM): verifies the registrar, and the "
          "callers' client certificates unless --verifier_ca is given");
ABSL_FLAG(std::string, cert, "",
          "Optional client certificate (PEM) presented to the registrar");
ABSL_FLAG(std::string, key, "", "Its private key (PEM)");
ABSL_FLAG(std::string, verifier_ca, "",
          "CA (PEM) for callers' client certificates (default: --ca)");
ABSL_FLAG(bool, insecure, false,
          "Plaintext gRPC without authentication (local debugging only)");
ABSL_FLAG(std::string, id_prefix, "a",
          "Agent ids are sim-<prefix>-00001 ... (a-z 0-9 . -)");
ABSL_FLAG(uint64_t, ima_initial, 1000,
          "IMA entries after boot_aggregate at start");
ABSL_FLAG(double, ima_growth_per_minute, 10,
          "IMA entries every agent's log grows by per minute");
ABSL_FLAG(uint64_t, ima_pool, 2000,
          "Distinct files in the IMA logs and the policy");
ABSL_FLAG(std::string, ek_ca_out, "",
          "Directory to write the simulator's EK CA certificate to (PEM), "
          "for the registrar's --ek_ca_dir");
ABSL_FLAG(std::string, policy_out, "",
          "File to write the runtime policy (Keylime JSON) to");
ABSL_FLAG(int, threads, 4, "Threads generating keys");
ABSL_FLAG(int, enroll_concurrency, 16, "Agents enrolling at once");
ABSL_FLAG(absl::Duration, enroll_timeout, absl::Minutes(10),
          "Give up enrolling (exit 1) after this long");
ABSL_FLAG(std::string, log_level, "info", "trace|debug|info|warn|error");

namespace {

using namespace candor;             // NOLINT: main only
using namespace candor::agent_sim;  // NOLINT

absl::Mutex stdout_mu;
void Say(const std::string& line) {
  absl::MutexLock lock(&stdout_mu);
  std::cout << line << std::endl;
}

void RaiseFileLimit() {
  rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0) {
      spdlog::warn("cannot raise RLIMIT_NOFILE to {}", r.rlim_max);
    }
  }
}

absl::StatusOr<std::string> ReadPem(const std::string& flag,
                                    const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) {
    return absl::Status(pem.status().code(),
                        absl::StrCat("--", flag, ": ", pem.status().message()));
  }
  return pem;
}

// Every agent's key and certificate in one server; the client's SNI picks.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    Fleet& fleet, const std::string& client_ca) {
  grpc::SslServerCredentialsOptions opts(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  opts.pem_root_certs = client_ca;
  for (const auto& a : fleet.agents()) {
    opts.pem_key_cert_pairs.push_back(
        {std::string(a->tls_key_pem().view()), a->tls_cert_pem()});
  }
  auto creds = grpc::SslServerCredentials(opts);
  for (const auto& a : fleet.agents()) a->ForgetTlsKey();
  return creds;
}

int Run() {
  const bool insecure = absl::GetFlag(FLAGS_insecure);
  const std::string registrar = absl::GetFlag(FLAGS_registrar);
  std::string verifier_ca_path = absl::GetFlag(FLAGS_verifier_ca);
  if (verifier_ca_path.empty()) verifier_ca_path = absl::GetFlag(FLAGS_ca);
  if (!insecure && verifier_ca_path.empty()) {
    spdlog::error(
        "pass --ca (the Candor CA certificate), or --insecure for "
        "local debugging");
    return 2;
  }
  if (!insecure && !registrar.empty() && absl::GetFlag(FLAGS_ca).empty()) {
    spdlog::error("--registrar needs --ca to verify the registrar");
    return 2;
  }
  const std::string listen = absl::GetFlag(FLAGS_listen);
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    spdlog::error("--listen {}: expected HOST:PORT", listen);
    return 2;
  }
  std::string host = absl::GetFlag(FLAGS_advertise_host);
  if (host.empty()) host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host == "[::]" || host.empty()) {
    spdlog::error(
        "--listen {} binds every interface: pass --advertise_host "
        "with the host verifiers reach this machine at",
        listen);
    return 2;
  }
  // Read the CA before the (long) fleet creation: a typo fails at once.
  std::string client_ca;
  if (!insecure) {
    auto ca =
        ReadPem(absl::GetFlag(FLAGS_verifier_ca).empty() ? "ca" : "verifier_ca",
                verifier_ca_path);
    if (!ca.ok()) {
      spdlog::error("{}", ca.status().message());
      return 2;
    }
    client_ca = std::move(*ca);
  }
  RaiseFileLimit();

  FleetOptions fo;
  fo.count = absl::GetFlag(FLAGS_count);
  fo.id_prefix = absl::GetFlag(FLAGS_id_prefix);
  fo.threads = absl::GetFlag(FLAGS_threads);
  fo.ima_initial = absl::GetFlag(FLAGS_ima_initial);
  fo.ima_growth_per_minute = absl::GetFlag(FLAGS_ima_growth_per_minute);
  fo.ima_pool = absl::GetFlag(FLAGS_ima_pool);
  const absl::Time t0 = absl::Now();
  spdlog::info("creating {} virtual agents on {} threads", fo.count,
               fo.threads);
  absl::StatusOr<std::unique_ptr<Fleet>> fleet = Fleet::Create(fo);
  if (!fleet.ok()) {
    spdlog::error("{}", fleet.status().message());
    return fleet.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  spdlog::info("{} agents created in {}", fo.count,
               absl::FormatDuration(absl::Now() - t0));
  if (!absl::GetFlag(FLAGS_ek_ca_out).empty()) {
    auto path = (*fleet)->ca().WritePem(absl::GetFlag(FLAGS_ek_ca_out));
    if (!path.ok()) {
      spdlog::error("{}", path.status().message());
      return 1;
    }
    spdlog::info("EK CA certificate written to {}", *path);
  }
  if (!absl::GetFlag(FLAGS_policy_out).empty()) {
    absl::Status s =
        WriteFileAtomically(absl::GetFlag(FLAGS_policy_out),
                            (*fleet)->log().PolicyJson(absl::Now()));
    if (!s.ok()) {
      spdlog::error("--policy_out: {}", s.message());
      return 1;
    }
  }

  std::shared_ptr<grpc::ServerCredentials> creds;
  std::unique_ptr<rpc::Authorizer> authorizer;
  if (insecure) {
    log::WarnInsecure("agent_sim");
    authorizer = rpc::MakeInsecureAuthorizer();
  } else {
    auto c = ServerCredentials(**fleet, client_ca);
    if (!c.ok()) {
      spdlog::error("{}", c.status().message());
      return 1;
    }
    creds = *c;
    authorizer = rpc::MakeMtlsAuthorizer();
  }
  SimStats stats;
  SimAgentService service((*fleet)->directory(), *authorizer, stats);
  auto server = rpc::StartServer(
      {listen,
       creds,
       {rpc::ServiceEntry::Of<candor::v1::AgentService>(&service)}});
  if (!server.ok()) {
    spdlog::error("{}", server.status().message());
    return 1;
  }
  const std::string advertise = absl::StrCat(host, ":", (*server)->port());
  spdlog::info("serving {} agents on {} (registered as {})", fo.count, listen,
               advertise);

  if (!registrar.empty()) {
    std::optional<rpc::TlsClientConfig> tls;
    if (!insecure) {
      auto cfg = rpc::LoadTlsClientConfig(absl::GetFlag(FLAGS_ca),
                                          absl::GetFlag(FLAGS_cert),
                                          absl::GetFlag(FLAGS_key));
      if (!cfg.ok()) {
        spdlog::error("--ca/--cert/--key: {}", cfg.status().message());
        return 2;
      }
      tls = std::move(*cfg);
    }
    auto stub = candor::v1::RegistrarService::NewStub(
        rpc::Dial(registrar, tls ? &*tls : nullptr));
    EnrollOptions eo;
    eo.advertise = advertise;
    eo.registrar = registrar;
    eo.concurrency = absl::GetFlag(FLAGS_enroll_concurrency);
    eo.deadline = absl::Now() + absl::GetFlag(FLAGS_enroll_timeout);
    const absl::Time e0 = absl::Now();
    const uint64_t step = std::max<uint64_t>(1, fo.count / 10);
    auto enrolled = EnrollAll(**fleet, *stub, eo, [&](uint64_t n, uint64_t t) {
      if (n % step == 0 || n == t) {
        spdlog::info("enrolled {}/{} at {}", n, t, registrar);
      }
    });
    if (!enrolled.ok()) {
      spdlog::error("enrollment at {} failed: {}", registrar,
                    enrolled.status().message());
      Say(absl::StrCat("error enrollment failed: ",
                       enrolled.status().message()));
      return 1;
    }
    spdlog::info("{} agents enrolled in {} ({} retries)", enrolled->enrolled,
                 absl::FormatDuration(absl::Now() - e0), enrolled->retries);
  }
  spdlog::info("ready: {} agents, {} since start", fo.count,
               absl::FormatDuration(absl::Now() - t0));
  Say(absl::StrCat("ready ", fo.count));

  CommandProcessor commands(**fleet, stats);
  std::thread([&commands] {
    std::string line;
    while (std::getline(std::cin, line)) {
      std::optional<std::string> answer = commands.Execute(line, absl::Now());
      if (answer) Say(*answer);
      if (commands.quit()) {
        kill(getpid(), SIGTERM);
        return;
      }
    }
    spdlog::info("stdin closed: serving until SIGINT/SIGTERM");
  }).detach();
  int sig = rpc::WaitForTerminationSignal();
  spdlog::info("signal {}: shutting down", sig);
  (*server)->Shutdown(absl::Seconds(2));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  candor::rpc::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "Candor agent simulator: serves thousands of virtual agents for load "
      "tests (see tools/agent_sim/README.md)");
  absl::ParseCommandLine(argc, argv);
  if (!candor::log::Init("agent_sim", absl::GetFlag(FLAGS_log_level)).ok()) {
    return 2;
  }
  const int code = Run();
  std::cout.flush();
  // The command thread may be blocked reading stdin: leave without running
  // static destructors under it.
  _exit(code);
}
