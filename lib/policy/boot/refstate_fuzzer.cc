// Fuzzes boot policy documents (reference states come from operators and,
// through the verifier API, from any admin client): parse, print, parse the
// print again (it must be accepted and print the same), and evaluate against
// a small built-in event log.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/eventlog/event_log.h"
#include "lib/policy/boot/boot_policy.h"

namespace {

// A minimal crypto-agile log: SpecID (sha256) and one EV_SEPARATOR on PCR 4.
const candor::eventlog::EventLog& Log() {
  static const candor::eventlog::EventLog* log = [] {
    std::string spec("Spec ID Event03\0", 16);
    spec += std::string("\0\0\0\0\0\2\0\2\1\0\0\0\x0b\0\x20\0\0", 17);
    std::string bytes = std::string(8, '\0');
    bytes[4] = 3;  // EV_NO_ACTION
    bytes += std::string(20, '\0');
    bytes += std::string(1, static_cast<char>(spec.size())) +
             std::string(3, '\0') + spec;
    // PCR 4, EV_SEPARATOR, one sha256 digest (of 00000000), 4 bytes of data.
    bytes += std::string("\4\0\0\0\4\0\0\0\1\0\0\0\x0b\0", 14);
    bytes += std::string(
        "\xdf\x3f\x61\x98\x04\xa9\x2f\xdb\x40\x57\x19\x2d\xc4\x3d\xd7\x48"
        "\xea\x77\x8a\xdc\x52\xbc\x49\x8c\xe8\x05\x24\xc0\x14\xb8\x11\x19",
        32);
    bytes += std::string("\4\0\0\0\0\0\0\0", 8);
    auto parsed = candor::eventlog::EventLog::Parse(bytes);
    if (!parsed.ok()) __builtin_trap();
    return new candor::eventlog::EventLog(*std::move(parsed));
  }();
  return *log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto policy = candor::policy::BootPolicy::Parse(in);
  if (!policy.ok()) return 0;
  (void)policy->Evaluate(Log());
  std::string printed = policy->ToJson();
  auto again = candor::policy::BootPolicy::Parse(printed);
  if (!again.ok() || again->ToJson() != printed) __builtin_trap();
  return 0;
}
