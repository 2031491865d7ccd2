// Benchmarks of the IMA hot path and of policy loading (run with -c opt):
//
//   bazel run -c opt //lib/policy/runtime:appraise_benchmark
//
// BM_DefaultPath: the verifier's default path per entry: parse an ima-ng
//   line, SHA-256 of its template data, PCR-10 extend on the SHA-256 bank
//   (per-bank mode known), lookup in a 100,000-path policy; one thread.
//   items_per_second = entries/s. Variants: the first cycle of a boot (extend
//   mode detected: SHA-256 and SHA-1 of every entry, two chains) and offline
//   (SHA-1 template hash checked, as `tenant policy check`).
// BM_LoadPolicy: RuntimePolicy::Load of a 100,000-path (~12 MB) Keylime
//   JSON policy; reports the JSON size and the heap the loaded policy keeps
//   (mallinfo2 before/after, with the policy alive).
#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "lib/ima/hex.h"
#include "lib/ima/testing/log_builder.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/policy/runtime/runtime_policy.h"

namespace candor::policy {
namespace {

constexpr int kPolicyPaths = 100000;
constexpr int kLogEntries = 100000;

std::string PathOf(int i) {
  return absl::StrFormat("/usr/lib/x86_64-linux-gnu/pkg%05d/libcomp%05d.so.1",
                         i % 9973, i);
}

std::string ContentOf(int i) { return absl::StrCat("content of file ", i); }

// A Keylime policy listing kPolicyPaths files (sha256).
const std::string& PolicyJson() {
  static const std::string* json = [] {
    auto* s = new std::string(R"({"meta": {"version": 1, "generator": 3}, )"
                              R"("release": 0, "digests": {)");
    for (int i = 0; i < kPolicyPaths; ++i) {
      absl::StrAppend(s, i == 0 ? "" : ", ", "\"", PathOf(i), "\": [\"",
                      ima::HexEncode(ima::testing::HashOf(
                          ima::HashAlgo::kSha256, ContentOf(i))),
                      "\"]");
    }
    absl::StrAppend(s, R"(}, "excludes": ["/tmp/", "/var/log/"], )"
                       R"("keyrings": {}, "ima": {"ignored_keyrings": [], )"
                       R"("log_hash_alg": "sha1", "dm_policy": null}, )"
                       R"("ima-buf": {}, "verification-keys": ""})");
    return s;
  }();
  return *json;
}

struct Fixture {
  std::unique_ptr<RuntimePolicy> policy;
  ima::testing::LogBuilder log;
  std::vector<absl::string_view> lines;
  std::string quoted;
};

const Fixture& GetFixture() {
  static Fixture* f = [] {
    auto* f = new Fixture;
    f->policy =
        std::make_unique<RuntimePolicy>(*RuntimePolicy::Load(PolicyJson()));
    for (int i = 0; i < kLogEntries; ++i) {
      // Spread over the policy's paths, as a fleet's logs would be.
      const int k = static_cast<int>((i * 7919LL) % kPolicyPaths);
      f->log.ImaNgOf(PathOf(k), ContentOf(k));
    }
    f->lines = f->log.views();
    f->quoted = f->log.Pcr10(TPM2_ALG_SHA256, ima::ExtendMode::kPerBank);
    return f;
  }();
  return *f;
}

void RunAppraisal(benchmark::State& state, ima::ExtendMode mode, bool quoted) {
  const Fixture& f = GetFixture();
  AppraiseOptions o;
  o.policy = f.policy.get();
  if (quoted) o.replay.quoted_pcr10 = f.quoted;
  const ima::ReplayState start =
      *ima::ReplayState::AtBoot(TPM2_ALG_SHA256, mode);
  size_t failures = 0;
  for (auto _ : state) {
    EvalState keys;
    absl::StatusOr<Appraisal> a = AppraiseImaLog(start, f.lines, o, &keys);
    if (!a.ok() || (quoted && !a->replay.pcr_matched)) {
      state.SkipWithError("appraisal failed");
      return;
    }
    failures += a->findings.size();
    benchmark::DoNotOptimize(a->replay.state.pcr10);
  }
  if (failures != 0) state.SkipWithError("unexpected findings");
  state.SetItemsProcessed(state.iterations() * f.lines.size());
}

void BM_DefaultPath(benchmark::State& state) {
  RunAppraisal(state, ima::ExtendMode::kPerBank, /*quoted=*/true);
}
BENCHMARK(BM_DefaultPath)->Unit(benchmark::kMillisecond);

void BM_PolicyLookupOnly(benchmark::State& state) {
  const Fixture& f = GetFixture();
  std::vector<ima::Entry> entries(f.lines.size());
  for (size_t i = 0; i < f.lines.size(); ++i) {
    (void)ima::ParseLine(f.lines[i], i + 1, &entries[i]);
  }
  size_t i = 0;
  for (auto _ : state) {
    const ima::Entry& e = entries[i++ % entries.size()];
    benchmark::DoNotOptimize(f.policy->digests().Find(e.path, e.digest));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PolicyLookupOnly);

void BM_FirstCycleDetectsMode(benchmark::State& state) {
  RunAppraisal(state, ima::ExtendMode::kUnknown, /*quoted=*/true);
}
BENCHMARK(BM_FirstCycleDetectsMode)->Unit(benchmark::kMillisecond);

void BM_OfflineCheck(benchmark::State& state) {
  RunAppraisal(state, ima::ExtendMode::kPerBank, /*quoted=*/false);
}
BENCHMARK(BM_OfflineCheck)->Unit(benchmark::kMillisecond);

// Bytes in use on the heap: arena chunks plus mmapped blocks.
size_t HeapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

void BM_LoadPolicy(benchmark::State& state) {
  const std::string& json = PolicyJson();
  size_t retained = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const size_t before = HeapInUse();
    absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(json);
    if (!p.ok()) {
      state.SkipWithError("load failed");
      return;
    }
    state.PauseTiming();
    retained = HeapInUse() - before;
    state.ResumeTiming();
    benchmark::DoNotOptimize(p->digests().names());
  }
  state.counters["json_MB"] = json.size() / 1e6;
  state.counters["retained_MB"] = retained / 1e6;
  state.counters["retained_per_json"] =
      static_cast<double>(retained) / static_cast<double>(json.size());
  state.counters["paths"] = kPolicyPaths;
}
BENCHMARK(BM_LoadPolicy)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace candor::policy
