"""cc_fuzz_target: a libFuzzer target plus a g++ test that replays its corpus.

    cc_fuzz_target(
        name = "attest_fuzzer",
        srcs = ["attest_fuzzer.cc"],   # defines LLVMFuzzerTestOneInput
        deps = [":quote"],
        corpus = glob(["testdata/fuzz/attest/**"]),
    )

makes
  - `attest_fuzzer`: the fuzzer, tagged manual + fuzz. Built only with
    `--config=fuzz` (clang, -fsanitize=fuzzer,address,undefined) in its own
    output base; scripts/fuzz runs every target tagged "fuzz" for a while and
    a crash fails the run.
  - `attest_fuzzer_replay_test`: an ordinary cc_test (g++) that feeds every
    corpus file through the same LLVMFuzzerTestOneInput, so seeds keep
    working in the normal test run. Tagged "asan": scripts/test also runs it
    under ASan + UBSan.
"""

load("//bazel:copts.bzl", "CANDOR_COPTS")

def cc_fuzz_target(name, srcs, deps = [], corpus = [], **kwargs):
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps,
        copts = CANDOR_COPTS,
        tags = ["manual", "fuzz"],
        testonly = True,
        data = corpus,
        **kwargs
    )
    native.cc_test(
        name = name + "_replay_test",
        size = "small",
        srcs = srcs,
        deps = deps + ["//bazel:fuzz_replay_main"],
        copts = CANDOR_COPTS,
        data = corpus,
        args = ["$(location %s)" % f for f in corpus],
        tags = ["asan"],
        **kwargs
    )
