// main() for cc_fuzz_target's replay tests: runs LLVMFuzzerTestOneInput over
// every file named on the command line (the seed corpus) under g++, so the
// seeds are exercised by the ordinary test run. Fails if no file was given or
// one cannot be read; a crash or sanitizer report fails it too.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "fuzz replay: no corpus files given\n");
    return 1;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "fuzz replay: cannot read %s\n", argv[i]);
      return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string data = ss.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()),
                           data.size());
  }
  std::printf("fuzz replay: %d inputs OK\n", argc - 1);
  return 0;
}
