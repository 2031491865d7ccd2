// Fleet scale benchmark (issue 5 point 7): N simulated agents (tools/
// agent_sim, one process) attested by one verifier at a fixed quote
// interval, with the registrar and PostgreSQL, all on this machine.
//
//   bazel run -c opt //tests/e2e:fleet_scale_bench -- --agents=2000
//       --interval=2s --seconds=60  (one command line)
//
// Figures, over a measuring window after every agent reached ATTESTING:
//   - sustained cycles/s (ATTESTATION_PASSED events on a watch stream) and
//     the rate the interval asks for (agents / interval);
//   - cycle duration p50/p99 (AttestationEvent.cycle_duration: nonce to
//     verdict, RPC included);
//   - verifier CPU per cycle (utime+stime of the verifier process);
//   - PostgreSQL transactions/s and rows written/s (pg_stat_database);
//   - verifier memory per agent: RSS growth from before AddAgent to the end
//     of the window, divided by the agents (the runtime policy is shared).
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "lib/common/file_util.h"
#include "lib/pg/connection.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "tests/harness/ports.h"
#include "tests/harness/postgres.h"
#include "tests/harness/subprocess.h"

ABSL_FLAG(int, agents, 2000, "Simulated agents");
ABSL_FLAG(std::string, interval, "2s", "Quote interval");
ABSL_FLAG(int, seconds, 60, "Measuring window");
ABSL_FLAG(int, ima_initial, 200, "IMA entries per agent at start");
ABSL_FLAG(bool, insecure, false,
          "Plaintext everywhere (to measure the verifier without its per-agent "
          "TLS contexts)");

namespace candor {
namespace {

using google::protobuf::util::TimeUtil;

std::string Runfile(const std::string& p) {
  return absl::StrCat(getenv("TEST_SRCDIR"), "/candor/", p);
}

int Die(const std::string& what) {
  std::fprintf(stderr, "fleet_scale_bench: %s\n", what.c_str());
  return 1;
}

// utime+stime in seconds, and VmRSS in KiB, of `pid`.
double CpuSeconds(pid_t pid) {
  auto stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) return 0;
  std::string rest = stat->substr(stat->rfind(')') + 2);
  std::vector<std::string> f = absl::StrSplit(rest, ' ');
  double ut = 0, st = 0;
  if (f.size() > 13 && absl::SimpleAtod(f[11], &ut) &&
      absl::SimpleAtod(f[12], &st)) {
    return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return 0;
}
long RssKiB(pid_t pid) {
  auto status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!status.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(*status, '\n')) {
    if (absl::StartsWith(line, "VmRSS:")) {
      long kb = 0;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') digits.push_back(c);
      }
      if (absl::SimpleAtoi(digits, &kb)) return kb;
    }
  }
  return 0;
}

struct PgStats {
  double xacts = 0, rows = 0;
};
PgStats ReadPgStats(pg::Connection& conn) {
  PgStats s;
  (void)conn.Transact("bench: pg_stat_database", [&](pqxx::work& tx) {
    pqxx::row r = tx.exec1(
        "SELECT sum(xact_commit + xact_rollback), "
        "sum(tup_inserted + tup_updated + tup_deleted) FROM pg_stat_database");
    s.xacts = r[0].as<double>();
    s.rows = r[1].as<double>();
    return absl::OkStatus();
  });
  return s;
}

absl::Status WaitForLine(const std::string& file, const std::string& prefix,
                         testing::Subprocess* p, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto text = ReadFile(file);
    if (text.ok() && absl::StrContains(*text, prefix)) return absl::OkStatus();
    if (!p->Running()) {
      return absl::InternalError("exited: " + testing::FileTail(file));
    }
    absl::SleepFor(absl::Milliseconds(200));  // polling the process output
  }
  return absl::DeadlineExceededError("no '" + prefix + "' in " + file);
}

int Run() {
  const int n = absl::GetFlag(FLAGS_agents);
  absl::Duration interval;
  if (!absl::ParseDuration(absl::GetFlag(FLAGS_interval), &interval)) {
    return Die("--interval");
  }
  const std::string dir = getenv("TEST_TMPDIR");
  const std::string pki_dir = dir + "/pki";
  pki::InitOptions po;
  po.dir = pki_dir;
  if (auto s = pki::InitPki(po); !s.ok()) return Die(s.status().ToString());
  auto pg = testing::PostgresCluster::Start();
  if (!pg.ok()) return Die(pg.status().ToString());
  auto reg_db = (*pg)->CreateDatabase("registrar");
  auto ver_db = (*pg)->CreateDatabase("verifier");
  if (!reg_db.ok() || !ver_db.ok()) return Die("createdb");
  const bool insecure = absl::GetFlag(FLAGS_insecure);
  if (insecure &&
      !WriteFileAtomically(dir + "/vkey", std::string(64, '7')).ok()) {
    return Die("vkey");
  }
  int reg_port = *testing::PickFreePort(), ver_port = *testing::PickFreePort();
  int sim_port = *testing::PickFreePort();
  auto spawn = [&](std::vector<std::string> argv, const std::string& log) {
    testing::SubprocessOptions o;
    o.argv = std::move(argv);
    o.stdout_path = dir + "/" + log;
    return testing::Subprocess::Start(o);
  };
  auto sim = spawn(
      {Runfile("tools/agent_sim/agent_sim"), absl::StrCat("--count=", n),
       absl::StrCat("--listen=127.0.0.1:", sim_port),
       absl::StrCat("--registrar=localhost:", reg_port),
       insecure ? "--insecure" : "--ca=" + pki::CertPath(pki_dir, "ca"),
       "--ek_ca_out=" + dir + "/ek-ca",
       "--policy_out=" + dir + "/policy.json", "--id_prefix=bench",
       absl::StrCat("--ima_initial=", absl::GetFlag(FLAGS_ima_initial)),
       "--ima_growth_per_minute=6", "--log_level=warn"},
      "agent_sim.log");
  if (!sim.ok()) return Die(sim.status().ToString());
  const absl::Time t_sim = absl::Now();
  while (!ReadFile(dir + "/policy.json").ok()) {
    if (absl::Now() - t_sim > absl::Minutes(2)) return Die("no policy_out");
    absl::SleepFor(absl::Milliseconds(200));  // polling the tool's output
  }
  auto reg = spawn(
      {Runfile("services/registrar/registrar"),
       absl::StrCat("--listen=127.0.0.1:", reg_port),
       insecure ? "--insecure" : "--tls_cert=" + pki::CertPath(pki_dir, "registrar"),
       insecure ? "--insecure" : "--tls_key=" + pki::KeyPath(pki_dir, "registrar"),
       insecure ? "--insecure" : "--tls_ca=" + pki::CertPath(pki_dir, "ca"),
       "--database=" + *reg_db,
       "--ek_ca_dir=" + dir + "/ek-ca", "--accept_simulated",
       "--register_rate=0", "--log_level=warn"},
      "registrar.log");
  auto ver = spawn(
      {Runfile("services/verifier/verifier"),
       absl::StrCat("--listen=127.0.0.1:", ver_port),
       insecure ? "--insecure" : "--tls_cert=" + pki::CertPath(pki_dir, "verifier"),
       insecure ? "--v_share_key_file=" + dir + "/vkey"
                : "--tls_key=" + pki::KeyPath(pki_dir, "verifier"),
       insecure ? "--insecure" : "--tls_ca=" + pki::CertPath(pki_dir, "ca"),
       "--database=" + *ver_db,
       absl::StrCat("--registrar=localhost:", reg_port),
       "--quote_interval=" + absl::GetFlag(FLAGS_interval),
       "--replica_id=bench", "--log_level=warn"},
      "verifier.log");
  if (!reg.ok() || !ver.ok()) return Die("starting registrar/verifier");
  if (auto s = WaitForLine(dir + "/agent_sim.log", "ready", sim->get(),
                           absl::Minutes(10));
      !s.ok()) {
    return Die(s.ToString());
  }
  std::printf("simulator: %d agents enrolled in %.1f s\n", n,
              absl::ToDoubleSeconds(absl::Now() - t_sim));
  if (auto s = testing::WaitForPort(ver_port, absl::Seconds(30),
                                    [&] { return (*ver)->Running(); });
      !s.ok()) {
    return Die(s.ToString());
  }

  auto tls = rpc::LoadTlsClientConfig(pki::CertPath(pki_dir, "ca"),
                                      pki::CertPath(pki_dir, "tenant"),
                                      pki::KeyPath(pki_dir, "tenant"));
  if (!tls.ok()) return Die(tls.status().ToString());
  tls->target_name = "localhost";
  auto channel = rpc::Dial(absl::StrCat("127.0.0.1:", ver_port),
                           insecure ? nullptr : &*tls);
  auto stub = v1::VerifierService::NewStub(channel);
  {
    grpc::ClientContext ctx;
    v1::CreatePolicyRequest req;
    req.set_name("sim");
    req.set_kind(v1::POLICY_KIND_RUNTIME);
    req.set_content(*ReadFile(dir + "/policy.json"));
    v1::PolicyVersion resp;
    grpc::Status s = stub->CreatePolicy(&ctx, req, &resp);
    if (!s.ok()) return Die("CreatePolicy: " + s.error_message());
  }
  const pid_t vpid = (*ver)->pid();
  const long rss_before = RssKiB(vpid);
  const absl::Time t_add = absl::Now();
  std::atomic<int> next{0}, added{0};
  std::vector<std::thread> adders;
  for (int t = 0; t < 8; ++t) {
    adders.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        grpc::ClientContext ctx;
        v1::AddAgentRequest req;
        char id[64];
        std::snprintf(id, sizeof(id), "sim-bench-%05d", i + 1);
        req.mutable_agent()->set_agent_id(id);
        req.mutable_agent()->mutable_runtime_policy()->set_name("sim");
        v1::Agent resp;
        grpc::Status s = stub->AddAgent(&ctx, req, &resp);
        if (s.ok()) {
          ++added;
        } else {
          std::fprintf(stderr, "AddAgent %s: %s\n", id,
                       s.error_message().c_str());
        }
      }
    });
  }
  for (auto& t : adders) t.join();
  std::printf("AddAgent: %d agents in %.1f s\n", added.load(),
              absl::ToDoubleSeconds(absl::Now() - t_add));

  // Watch every event; wait until every agent passed once.
  grpc::ClientContext wctx;
  v1::WatchAttestationsRequest wreq;
  auto reader = stub->WatchAttestations(&wctx, wreq);
  std::vector<double> durations_ms;
  std::vector<std::string> seen;
  std::atomic<bool> measuring{false};
  std::atomic<long> passes{0}, failures{0}, incomplete{0};
  std::vector<bool> passed_once(n, false);
  std::atomic<int> distinct{0};
  std::thread watcher([&] {
    v1::WatchAttestationsResponse msg;
    while (reader->Read(&msg)) {
      if (!msg.has_event()) continue;
      const auto& e = msg.event();
      int idx = 0;
      if (e.agent_id().size() > 10) {
        (void)absl::SimpleAtoi(e.agent_id().substr(10), &idx);
      }
      if (e.kind() == v1::EVENT_KIND_ATTESTATION_PASSED) {
        if (idx >= 1 && idx <= n && !passed_once[idx - 1]) {
          passed_once[idx - 1] = true;
          ++distinct;
        }
        if (measuring) {
          ++passes;
          durations_ms.push_back(
              TimeUtil::DurationToMilliseconds(e.cycle_duration()) +
              (e.cycle_duration().nanos() % 1000000) / 1e6);
        }
      } else if (e.kind() == v1::EVENT_KIND_ATTESTATION_FAILED) {
        ++failures;
      } else if (e.kind() == v1::EVENT_KIND_ATTESTATION_INCOMPLETE) {
        if (measuring) ++incomplete;
      }
    }
  });
  const absl::Time t_warm = absl::Now();
  while (distinct < added) {
    if (absl::Now() - t_warm > absl::Minutes(5)) {
      wctx.TryCancel();
      watcher.join();
      return Die(absl::StrCat("only ", distinct.load(), " agents passed"));
    }
    absl::SleepFor(absl::Milliseconds(200));  // polling a counter
  }
  std::printf("every agent passed once, %.1f s after the adds\n",
              absl::ToDoubleSeconds(absl::Now() - t_warm));
  auto conn = pg::Connection::Open((*pg)->ConnectionString("postgres"));
  if (!conn.ok()) return Die(conn.status().ToString());
  const PgStats pg0 = ReadPgStats(**conn);
  const double cpu0 = CpuSeconds(vpid);
  const absl::Time m0 = absl::Now();
  measuring = true;
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_seconds)));  // the window
  measuring = false;
  const double secs = absl::ToDoubleSeconds(absl::Now() - m0);
  const double cpu = CpuSeconds(vpid) - cpu0;
  const PgStats pg1 = ReadPgStats(**conn);
  const long rss_after = RssKiB(vpid);
  wctx.TryCancel();
  watcher.join();
  std::sort(durations_ms.begin(), durations_ms.end());
  auto pct = [&](double p) {
    return durations_ms.empty()
               ? 0.0
               : durations_ms[static_cast<size_t>(p * (durations_ms.size() - 1))];
  };
  const double rate = passes / secs;
  double mean_ms = 0;
  for (double d : durations_ms) mean_ms += d;
  if (!durations_ms.empty()) mean_ms /= durations_ms.size();
  std::printf(
      "\n%d agents, quote interval %s, %.0f s window:\n"
      "  cycles/s            %.1f (agents / (interval + mean cycle) = %.1f)\n"
      "  failed/incomplete   %ld / %ld\n"
      "  cycle mean/p50/p99  %.1f / %.1f / %.1f ms (nonce to verdict)\n"
      "  verifier CPU/cycle  %.3f ms (%.2f cores)\n"
      "  PostgreSQL          %.0f transactions/s, %.0f rows written/s\n"
      "  verifier RSS        %ld MiB -> %ld MiB: %.1f KiB per agent\n",
      n, absl::GetFlag(FLAGS_interval).c_str(), secs, rate,
      n / (absl::ToDoubleSeconds(interval) + mean_ms / 1000), failures.load(),
      incomplete.load(), mean_ms, pct(0.5), pct(0.99), rate > 0 ? 1000 * cpu / passes : 0.0, cpu / secs,
      (pg1.xacts - pg0.xacts) / secs, (pg1.rows - pg0.rows) / secs,
      rss_before / 1024, rss_after / 1024,
      static_cast<double>(rss_after - rss_before) / std::max(1, n));
  return 0;
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (getenv("TEST_SRCDIR") == nullptr) {
    setenv("TEST_SRCDIR", absl::StrCat(argv[0], ".runfiles").c_str(), 1);
  }
  if (getenv("TEST_TMPDIR") == nullptr) {
    char tmpl[] = "/tmp/candor-scale.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    setenv("TEST_TMPDIR", tmpl, 1);
    std::printf("logs in %s\n", tmpl);
  }
  return candor::Run();
}
