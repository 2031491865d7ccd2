// GetQuote latency through the whole agent (gRPC + mTLS + TPM) on swtpm, for
// RSA and ECC AKs, beside the TPM's own quote time measured on the same swtpm
// (EsysTpm::Quote, which already includes the PCR read around the quote).
// Prints p50/p90/p99 per case.
//
//   bazel run -c opt //tests/integration/agent:getquote_bench -- --iterations=200
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "candor/v1/agent.grpc.pb.h"
#include "lib/common/file_util.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "lib/tpm/esys_tpm.h"
#include "tests/harness/ports.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"

ABSL_FLAG(int, iterations, 200, "quotes per case");

namespace candor {
namespace {

std::string g_runfiles;  // <binary>.runfiles

std::string Tmp(const std::string& n) { return "/tmp/candor-qbench-" + n; }

void Report(const char* name, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto q = [&](double p) { return ms[static_cast<size_t>(p * (ms.size() - 1))]; };
  std::printf("%-34s n=%zu  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms\n", name,
              ms.size(), q(0.5), q(0.9), q(0.99));
}

int Run() {
  const int n = absl::GetFlag(FLAGS_iterations);
  // A fresh TPM each run: AK blobs from an earlier run would not load.
  std::filesystem::remove_all(Tmp("state-rsa"));
  std::filesystem::remove_all(Tmp("state-ecc"));
  auto tpm = testing::Swtpm::Start();
  if (!tpm.ok()) {
    std::fprintf(stderr, "swtpm: %s\n", std::string(tpm.status().message()).c_str());
    return 1;
  }
  pki::InitOptions o;
  o.dir = Tmp("pki");
  o.overwrite = true;
  if (!pki::InitPki(o).ok()) return 1;
  v1::EvidenceRequest req;
  req.set_nonce(std::string(20, 'n'));
  auto* sel = req.add_pcr_selections();
  sel->set_bank(v1::HASH_ALGORITHM_SHA256);
  for (uint32_t p : {0, 1, 2, 3, 4, 5, 6, 7, 10, 16}) sel->add_pcrs(p);
  tpm::PcrSelection tsel = {{TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 10, 16}}};

  for (const char* kind : {"rsa", "ecc"}) {
    // The TPM's own time: EsysTpm::Quote with its own AK.
    auto raw = tpm::EsysTpm::Create((*tpm)->tcti());
    if (!raw.ok()) return 1;
    auto ak = (*raw)->CreateAk(std::string(kind) == "rsa" ? tpm::AkType::kRsa2048
                                                          : tpm::AkType::kEccP256,
                               tpm::EkType::kRsa);
    if (!ak.ok() ||
        !(*raw)->LoadAk(ak->public_area, ak->private_area, tpm::EkType::kRsa).ok()) {
      return 1;
    }
    std::vector<double> raw_ms;
    for (int i = 0; i < n; ++i) {
      absl::Time t = absl::Now();
      if (!(*raw)->Quote(tsel, std::string(20, 'n')).ok()) return 1;
      raw_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t));
    }
    raw->reset();

    auto port = testing::PickFreePort();
    testing::SubprocessOptions a;
    a.argv = {g_runfiles + "/candor/services/agent/agent",
              absl::StrCat("--listen=127.0.0.1:", *port),
              "--tcti=" + (*tpm)->tcti(), std::string("--ak=") + kind,
              "--agent_id=bench-" + std::string(kind),
              "--state_dir=" + Tmp(std::string("state-") + kind),
              "--ca=" + pki::CertPath(o.dir, "ca"), "--ima_log=" + Tmp("none"),
              "--log_level=warn"};
    a.stdout_path = Tmp(std::string("agent-") + kind + ".log");
    auto agent = testing::Subprocess::Start(a);
    if (!agent.ok() ||
        !testing::WaitForPort(*port, absl::Seconds(30), [&] {
           return (*agent)->Running();
         }).ok()) {
      std::fprintf(stderr, "agent did not start: %s\n",
                   testing::FileTail(a.stdout_path).c_str());
      return 1;
    }
    auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(o.dir, "ca"),
                                        pki::CertPath(o.dir, "verifier"),
                                        pki::KeyPath(o.dir, "verifier"));
    cfg->root_pem = *ReadFile(Tmp(std::string("state-") + kind) + "/tls.crt");
    cfg->target_name = "bench-" + std::string(kind);
    auto stub = v1::AgentService::NewStub(
        rpc::Dial(absl::StrCat("127.0.0.1:", *port), &*cfg));
    std::vector<double> rpc_ms;
    v1::GetQuoteRequest r;
    *r.mutable_request() = req;
    for (int i = 0; i < n + 5; ++i) {
      grpc::ClientContext ctx;
      v1::GetQuoteResponse resp;
      absl::Time t = absl::Now();
      grpc::Status st = stub->GetQuote(&ctx, r, &resp);
      double ms = absl::ToDoubleMilliseconds(absl::Now() - t);
      if (!st.ok()) {
        std::fprintf(stderr, "GetQuote: %s\n", st.error_message().c_str());
        return 1;
      }
      if (i >= 5) rpc_ms.push_back(ms);  // skip connection set-up
    }
    (*agent)->Stop(SIGTERM);
    Report(absl::StrCat("TPM quote (EsysTpm), ", kind).c_str(), raw_ms);
    Report(absl::StrCat("GetQuote over mTLS, ", kind).c_str(), rpc_ms);
  }
  for (const char* d : {"pki", "state-rsa", "state-ecc", "agent-rsa.log",
                        "agent-ecc.log"}) {
    std::filesystem::remove_all(Tmp(d));
  }
  return 0;
}

}  // namespace
}  // namespace candor

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const char* rf = std::getenv("RUNFILES_DIR");
  candor::g_runfiles = rf ? rf : std::string(argv[0]) + ".runfiles";
  setenv("TSS2_LOG", "all+NONE", 0);
  return candor::Run();
}
