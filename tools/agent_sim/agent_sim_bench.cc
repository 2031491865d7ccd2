// agent_sim_bench: how fast the simulator answers, without a verifier.
//   1. evidence: VirtualAgent::GetEvidence calls per second (quote with
//      PCRs 0-10 and 16, signature, an IMA page of new entries), one thread
//      and --threads threads, no gRPC;
//   2. grpc: --count agents behind one mTLS server exactly as agent_sim runs
//      it; --clients channels (one per agent, its certificate pinned, agent
//      id as target name, verifier client certificate from a throw-away
//      InitPki) call GetQuote for --seconds from --threads threads: calls
//      per second, latency p50/p99, and VmRSS before and after the
//      handshakes.
// Prints one line per figure. Not a test: nothing is asserted.
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "candor/v1/agent.grpc.pb.h"
#include "lib/common/file_util.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/x509.h"
#include "lib/pki/pki.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/server.h"
#include "lib/rpc/tls.h"
#include "tools/agent_sim/fleet.h"
#include "tools/agent_sim/sim_service.h"

ABSL_FLAG(uint64_t, count, 2000, "Virtual agents");
ABSL_FLAG(int, clients, 200, "Agents called over gRPC (one channel each)");
ABSL_FLAG(int, threads, 2, "Calling threads");
ABSL_FLAG(double, seconds, 5, "Duration of each timed phase");
ABSL_FLAG(uint64_t, ima_initial, 1000, "IMA entries at start");

namespace {

using namespace candor;             // NOLINT: benchmark main
using namespace candor::agent_sim;  // NOLINT

std::string VmRss() {
  auto s = ReadFile("/proc/self/status");
  if (!s.ok()) return "?";
  size_t at = s->find("VmRSS:");
  return at == std::string::npos ? "?" : s->substr(at, s->find('\n', at) - at);
}

v1::EvidenceRequest Request(uint64_t start) {
  tpm::PcrSelection sel = {
      {TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16}}};
  v1::EvidenceRequest r;
  std::string nonce(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 32);
  r.set_nonce(nonce);
  *r.mutable_pcr_selections() = *convert::SelectionToProto(sel);
  r.set_ima_start_entry(start);
  return r;
}

// Calls fn(thread, i) on `threads` threads for `seconds`; calls per second.
double Timed(int threads, double seconds,
             const std::function<void(int, uint64_t)>& fn) {
  std::atomic<uint64_t> calls{0};
  const absl::Time end = absl::Now() + absl::Seconds(seconds);
  const absl::Time t0 = absl::Now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (uint64_t i = 0; absl::Now() < end; ++i) {
        fn(t, i);
        ++calls;
      }
    });
  }
  for (auto& th : pool) th.join();
  return calls.load() / absl::ToDoubleSeconds(absl::Now() - t0);
}

int Main() {
  const int threads = absl::GetFlag(FLAGS_threads);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  FleetOptions fo;
  fo.count = absl::GetFlag(FLAGS_count);
  fo.threads = std::max(1u, std::thread::hardware_concurrency());
  fo.ima_initial = absl::GetFlag(FLAGS_ima_initial);
  fo.id_prefix = "bench";
  absl::Time t0 = absl::Now();
  auto fleet = Fleet::Create(fo);
  if (!fleet.ok()) {
    std::cerr << fleet.status() << "\n";
    return 1;
  }
  std::cout << "create " << fo.count
            << " agents: " << absl::FormatDuration(absl::Now() - t0) << ", "
            << VmRss() << "\n";
  const auto& agents = (*fleet)->agents();
  const uint64_t total = 1 + fo.ima_initial;

  for (int n : {1, threads}) {
    double qps = Timed(n, seconds, [&](int, uint64_t i) {
      auto ev =
          agents[i % agents.size()]->GetEvidence(Request(total), absl::Now());
      if (!ev.ok()) std::cerr << ev.status() << "\n";
    });
    std::cout << "evidence (no gRPC), " << n << " thread(s): " << qps
              << " quotes/s\n";
  }
  double full = Timed(1, seconds, [&](int, uint64_t i) {
    auto ev = agents[i % agents.size()]->GetEvidence(Request(0), absl::Now());
  });
  std::cout << "evidence with the whole IMA log (" << total
            << " lines), 1 thread: " << full << " quotes/s\n";

  // gRPC, as agent_sim serves.
  const std::string dir = absl::StrCat("/tmp/agent_sim_bench.", getpid());
  pki::InitOptions po;
  po.dir = dir;
  if (auto s = pki::InitPki(po); !s.ok()) {
    std::cerr << s.status() << "\n";
    return 1;
  }
  grpc::SslServerCredentialsOptions so(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  so.pem_root_certs = *ReadFile(pki::CertPath(dir, "ca"));
  for (const auto& a : agents) {
    so.pem_key_cert_pairs.push_back(
        {std::string(a->tls_key_pem().view()), a->tls_cert_pem()});
  }
  SimStats stats;
  auto authorizer = rpc::MakeMtlsAuthorizer();
  SimAgentService service((*fleet)->directory(), *authorizer, stats);
  auto server = rpc::StartServer(
      {"127.0.0.1:0",
       grpc::SslServerCredentials(so),
       {rpc::ServiceEntry::Of<candor::v1::AgentService>(&service)}});
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  std::cout << "server with " << agents.size() << " certificates: " << VmRss()
            << "\n";
  const int clients = std::min<int>(absl::GetFlag(FLAGS_clients),
                                    static_cast<int>(agents.size()));
  std::vector<std::unique_ptr<v1::AgentService::Stub>> stubs;
  const std::string address = absl::StrCat("127.0.0.1:", (*server)->port());
  t0 = absl::Now();
  for (int i = 0; i < clients; ++i) {
    rpc::TlsClientConfig cfg;
    cfg.root_pem = agents[i]->tls_cert_pem();
    cfg.cert_pem = *ReadFile(pki::CertPath(dir, "verifier"));
    cfg.key_pem = crypto::SecretBytes(*ReadFile(pki::KeyPath(dir, "verifier")));
    cfg.target_name = agents[i]->id();
    stubs.push_back(v1::AgentService::NewStub(rpc::Dial(address, &cfg)));
    grpc::ClientContext ctx;
    v1::GetIdentityResponse id;
    grpc::Status s = stubs.back()->GetIdentity(&ctx, {}, &id);
    if (!s.ok()) {
      std::cerr << agents[i]->id() << ": " << s.error_message() << "\n";
      return 1;
    }
  }
  std::cout << clients << " mTLS handshakes + GetIdentity: "
            << absl::FormatDuration(absl::Now() - t0) << ", " << VmRss()
            << "\n";
  absl::Mutex mu;
  std::vector<double> latencies;
  double qps = Timed(threads, seconds, [&](int t, uint64_t i) {
    const size_t k = (i * threads + t) % stubs.size();
    grpc::ClientContext ctx;
    v1::GetQuoteRequest req;
    *req.mutable_request() = Request(total);
    v1::GetQuoteResponse resp;
    absl::Time c0 = absl::Now();
    grpc::Status s = stubs[k]->GetQuote(&ctx, req, &resp);
    double ms = absl::ToDoubleMilliseconds(absl::Now() - c0);
    if (!s.ok()) std::cerr << s.error_message() << "\n";
    absl::MutexLock lock(&mu);
    latencies.push_back(ms);
  });
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty()
               ? 0
               : latencies[static_cast<size_t>(p * (latencies.size() - 1))];
  };
  std::cout << "GetQuote over mTLS, " << threads << " calling thread(s), "
            << clients << " agents: " << qps << " calls/s, p50 " << pct(0.5)
            << " ms, p99 " << pct(0.99) << " ms; " << VmRss() << "\n";
  (*server)->Shutdown(absl::Seconds(1));
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  int code = Main();
  std::cout.flush();
  _exit(code);
}
