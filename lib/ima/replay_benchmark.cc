// Benchmarks of the parts of the IMA hot path (run with -c opt):
//
//   bazel run -c opt //lib/ima:replay_benchmark
//
// Per ima-ng entry: parse, template data, SHA-256 of it, a PCR-10 extend,
// and a whole replay of 100,000 entries on the SHA-256 bank (no policy; see
// //lib/policy/runtime:appraise_benchmark for the full default path).
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "lib/ima/entry.h"
#include "lib/ima/hasher.h"
#include "lib/ima/replay.h"
#include "lib/ima/template_data.h"
#include "lib/ima/testing/log_builder.h"

namespace candor::ima {
namespace {

const testing::LogBuilder& Log() {
  static testing::LogBuilder* b = [] {
    auto* b = new testing::LogBuilder;
    for (int i = 0; i < 100000; ++i) {
      b->ImaNgOf(
          absl::StrFormat("/usr/lib/x86_64-linux-gnu/pkg%05d/libcomp%05d.so.1",
                          i % 9973, i),
          absl::StrFormat("content %d", i));
    }
    return b;
  }();
  return *b;
}

void BM_ParseLine(benchmark::State& state) {
  const std::vector<std::string>& lines = Log().lines();
  Entry e;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseLine(lines[i++ % lines.size()], 1, &e));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseLine);

void BM_ParseAndTemplateData(benchmark::State& state) {
  const std::vector<std::string>& lines = Log().lines();
  Entry e;
  std::string td;
  size_t i = 0;
  for (auto _ : state) {
    (void)ParseLine(lines[i++ % lines.size()], 1, &e);
    BuildTemplateData(e, &td);
    benchmark::DoNotOptimize(td.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndTemplateData);

void BM_Sha256(benchmark::State& state) {
  Hasher h = *Hasher::Create(HashAlgo::kSha256);
  std::string data(state.range(0), 'x');
  uint8_t out[kMaxDigestSize];
  for (auto _ : state) {
    h.Hash(data, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256)->Arg(64)->Arg(120);

void BM_ReplaySha256(benchmark::State& state) {
  std::vector<absl::string_view> lines = Log().views();
  ReplayOptions o;
  o.quoted_pcr10 = Log().Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  ReplayState s = *ReplayState::AtBoot(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  for (auto _ : state) {
    std::vector<candor::v1::Failure> findings;
    auto r = Replay(
        s, lines, o, [](const Entry&, uint64_t, absl::string_view) {},
        &findings);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * lines.size());
}
BENCHMARK(BM_ReplaySha256)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace candor::ima
