// Quote latency through EsysTpm (PCR read + TPM2_Quote + attest parse +
// pcrDigest check) against the raw Esys_Quote on the same loaded AK, for RSA
// and ECC AKs, plus PCR read and extend costs.
//
//   bazel run -c opt //lib/tpm:quote_benchmark                 # own swtpm
//   bazel run -c opt //lib/tpm:quote_benchmark --
//   --tcti=swtpm:host=127.0.0.1,port=2321
//
// Times are wall-clock (UseRealTime: the work is in the TPM, not this
// process's CPU). With --tcti the TPM must have the EKs at 0x81010001 (the AKs
// are made under the RSA EK); nothing else may use it meanwhile. Without it a
// provisioned swtpm is started through tests/harness.
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "lib/crypto/digest.h"
#include "lib/tpm/esys_tpm.h"
#include "lib/tpm/tss_error.h"
#include "tests/harness/swtpm.h"

namespace candor::tpm {
namespace {

std::unique_ptr<candor::testing::Swtpm> g_swtpm;
std::unique_ptr<EsysTpm> g_tpm;
AkBlobs g_aks[2];  // by AkType

// Keylime's default-ish selection: 9 PCRs, so two TPM2_PCR_Read calls.
const PcrSelection kBoot = {{TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 10}}};
// What an IMA-only policy quotes.
const PcrSelection kIma = {{TPM2_ALG_SHA256, {10}}};

const PcrSelection& Selection(int64_t arg) { return arg == 0 ? kBoot : kIma; }

bool Load(benchmark::State& state, AkType type) {
  const AkBlobs& ak = g_aks[static_cast<int>(type)];
  absl::Status s = g_tpm->LoadAk(ak.public_area, ak.private_area, EkType::kRsa);
  if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  return s.ok();
}

void BM_Quote(benchmark::State& state, AkType type) {
  if (!Load(state, type)) return;
  const PcrSelection& sel = Selection(state.range(0));
  const std::string nonce = crypto::Sha1("nonce");
  for (auto _ : state) {
    auto quote = g_tpm->Quote(sel, nonce);
    if (!quote.ok()) {
      state.SkipWithError(std::string(quote.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(quote->attest.data());
  }
}

void BM_RawEsysQuote(benchmark::State& state, AkType type) {
  if (!Load(state, type)) return;
  TPML_PCR_SELECTION tpml = *SelectionToTpml(Selection(state.range(0)));
  TPM2B_DATA nonce = {};
  nonce.size = 20;
  TPMT_SIG_SCHEME scheme = {};
  scheme.scheme = TPM2_ALG_NULL;
  for (auto _ : state) {
    TPM2B_ATTEST* quoted = nullptr;
    TPMT_SIGNATURE* sig = nullptr;
    TSS2_RC rc = Esys_Quote(g_tpm->context().get(), g_tpm->ak_handle(),
                            ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                            &nonce, &scheme, &tpml, &quoted, &sig);
    EsysPtr<TPM2B_ATTEST> q(quoted);
    EsysPtr<TPMT_SIGNATURE> s(sig);
    if (rc != TSS2_RC_SUCCESS) {
      state.SkipWithError(
          std::string(TssError("Esys_Quote", rc).message()).c_str());
      break;
    }
  }
}

void BM_ReadPcrs(benchmark::State& state) {
  const PcrSelection& sel = Selection(state.range(0));
  for (auto _ : state) {
    auto values = g_tpm->ReadPcrs(sel);
    if (!values.ok()) {
      state.SkipWithError(std::string(values.status().message()).c_str());
      break;
    }
  }
}

// One PCR 10 extend with sha1 + sha256 digests (one IMA entry).
void BM_ExtendPcr(benchmark::State& state) {
  const PcrDigests digests = {{TPM2_ALG_SHA1, crypto::Sha1("e")},
                              {TPM2_ALG_SHA256, crypto::Sha256("e")}};
  for (auto _ : state) {
    absl::Status s = g_tpm->ExtendPcr(10, digests);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ExtendPcrMany(benchmark::State& state) {
  std::vector<PcrExtend> batch(
      1000, PcrExtend{10,
                      {{TPM2_ALG_SHA1, crypto::Sha1("e")},
                       {TPM2_ALG_SHA256, crypto::Sha256("e")}}});
  for (auto _ : state) {
    absl::Status s = g_tpm->ExtendPcrMany(batch);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch.size());
}

BENCHMARK_CAPTURE(BM_Quote, rsa, AkType::kRsa2048)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_RawEsysQuote, rsa, AkType::kRsa2048)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Quote, ecc, AkType::kEccP256)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_RawEsysQuote, ecc, AkType::kEccP256)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_ReadPcrs)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_ExtendPcr)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ExtendPcrMany)->Unit(benchmark::kMillisecond)->UseRealTime();

int Setup(const std::string& tcti_flag) {
  std::string tcti = tcti_flag;
  if (tcti.empty()) {
    auto swtpm = candor::testing::Swtpm::Start();
    if (!swtpm.ok()) {
      std::cerr << "cannot start swtpm: " << swtpm.status() << "\n";
      return 1;
    }
    g_swtpm = std::move(*swtpm);
    tcti = g_swtpm->tcti();
  }
  auto tpm = EsysTpm::Create(tcti);
  if (!tpm.ok()) {
    std::cerr << "EsysTpm::Create(" << tcti << "): " << tpm.status() << "\n";
    return 1;
  }
  g_tpm = std::move(*tpm);
  for (AkType type : {AkType::kRsa2048, AkType::kEccP256}) {
    auto ak = g_tpm->CreateAk(type, EkType::kRsa);
    if (!ak.ok()) {
      std::cerr << "CreateAk: " << ak.status() << "\n";
      return 1;
    }
    g_aks[static_cast<int>(type)] = *ak;
  }
  std::cerr << "TPM: " << tcti << "; Arg 0 = sha256:0-7,10 (9 PCRs), "
            << "Arg 1 = sha256:10\n";
  return 0;
}

}  // namespace
}  // namespace candor::tpm

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string tcti;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--tcti=", 7) == 0) {
      tcti = argv[i] + 7;
    } else {
      std::cerr << "unknown flag " << argv[i] << " (use --tcti=<TCTI>)\n";
      return 2;
    }
  }
  if (int rc = candor::tpm::Setup(tcti); rc != 0) return rc;
  benchmark::RunSpecifiedBenchmarks();
  candor::tpm::g_tpm.reset();
  candor::tpm::g_swtpm.reset();
  benchmark::Shutdown();
  return 0;
}
