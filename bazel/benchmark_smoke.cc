// Google Benchmark from Debian links and runs under Bazel.
#include <benchmark/benchmark.h>

#include <string>

static void BM_StringAppend(benchmark::State& state) {
  for (auto _ : state) {
    std::string s;
    s.append(64, 'x');
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_StringAppend);
