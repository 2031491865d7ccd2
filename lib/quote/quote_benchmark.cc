// Quote verification throughput (one core unless ->Threads), with a parsed
// AK as the verifier caches it: parse + signature + nonce + selection + PCR
// digest + clock, over sha256 PCRs 0-7, 10 and 16 (a typical selection).
//
//   bazel run -c opt //lib/quote:quote_benchmark
//
// Target (issue 4): >= 35,000 RSA-2048 verifications/s on one core.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "lib/quote/pcr_list.h"
#include "lib/quote/testing/quote_builder.h"
#include "lib/quote/verify.h"

namespace candor::quote {
namespace {

using testing::SoftwareAk;

struct Fixture {
  std::unique_ptr<AkVerifier> ak;
  tpm::PcrSelection selection;
  tpm::PcrValues values;
  std::string nonce = "0123456789abcdef0123";
  std::string attest, signature;

  Fixture(SoftwareAk::Kind kind, TPM2_ALG_ID scheme) {
    SoftwareAk soft = *SoftwareAk::Generate(kind, scheme, TPM2_ALG_SHA256);
    ak = *AkVerifier::Create(soft.tpm2b_public());
    selection = *ParsePcrList("sha256:0,1,2,3,4,5,6,7,10,16");
    values = testing::MakePcrValues(selection);
    testing::QuoteFields f;
    f.extra_data = nonce;
    f.pcr_selection = selection;
    f.pcr_digest = testing::PcrDigest(TPM2_ALG_SHA256, selection, values);
    attest = testing::MarshalAttest(f);
    signature = soft.Sign(attest);
  }

  QuoteInput Input() const {
    QuoteInput in;
    in.attest = attest;
    in.signature = signature;
    in.pcr_values = &values;
    in.requested = &selection;
    in.nonce = nonce;
    in.previous_clock = ClockInfo{500, 2, 0, true};
    return in;
  }
};

void RunVerify(benchmark::State& state, const Fixture& f) {
  const QuoteInput in = f.Input();
  for (auto _ : state) {
    absl::StatusOr<QuoteResult> r = VerifyQuote(*f.ak, in);
    if (!r.ok() || !r->ok()) {
      state.SkipWithError("quote did not verify");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

const Fixture& Rsa() {
  static const Fixture* f = new Fixture(SoftwareAk::kRsa2048, TPM2_ALG_RSASSA);
  return *f;
}
const Fixture& RsaPss() {
  static const Fixture* f = new Fixture(SoftwareAk::kRsa2048, TPM2_ALG_RSAPSS);
  return *f;
}
const Fixture& Ecc() {
  static const Fixture* f = new Fixture(SoftwareAk::kEccP256, TPM2_ALG_ECDSA);
  return *f;
}

void BM_VerifyQuote_Rsa2048_RsaSsa(benchmark::State& s) { RunVerify(s, Rsa()); }
void BM_VerifyQuote_Rsa2048_RsaPss(benchmark::State& s) {
  RunVerify(s, RsaPss());
}
void BM_VerifyQuote_EccP256_Ecdsa(benchmark::State& s) { RunVerify(s, Ecc()); }
BENCHMARK(BM_VerifyQuote_Rsa2048_RsaSsa);
BENCHMARK(BM_VerifyQuote_Rsa2048_RsaSsa)->Threads(2)->UseRealTime();
BENCHMARK(BM_VerifyQuote_Rsa2048_RsaPss);
BENCHMARK(BM_VerifyQuote_EccP256_Ecdsa);

// The parts without the public-key operation.
void BM_ParseQuoteAttest(benchmark::State& state) {
  const Fixture& f = Rsa();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseQuoteAttest(f.attest));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseQuoteAttest);

// Building an AkVerifier (once per agent, then cached).
void BM_AkVerifierCreate_Rsa2048(benchmark::State& state) {
  SoftwareAk soft = *SoftwareAk::Generate(SoftwareAk::kRsa2048, TPM2_ALG_RSASSA,
                                          TPM2_ALG_SHA256);
  for (auto _ : state) {
    benchmark::DoNotOptimize(AkVerifier::Create(soft.tpm2b_public()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AkVerifierCreate_Rsa2048);

}  // namespace
}  // namespace candor::quote
