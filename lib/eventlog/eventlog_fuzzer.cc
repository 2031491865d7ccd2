// Fuzzes what the verifier does with an agent's UEFI event log: parse,
// replay, the integrity checks against a quote, the on-demand decoders the
// CLI and policies use, and evaluation against fixed boot policies (with and
// without Secure Boot).
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/eventlog/checks.h"
#include "lib/eventlog/device_path.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/replay.h"
#include "lib/eventlog/uefi.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/boot/create.h"

namespace {

using candor::policy::BootPolicy;

const std::string kHash = "0x" + std::string(64, '0');

std::string State(bool secureboot) {
  return std::string("{\"has_secureboot\": ") +
         (secureboot ? "true" : "false") +
         ", \"scrtm_and_bios\": [{\"scrtm\": {\"sha256\": \"" + kHash +
         "\"}, \"platform_firmware\": [{\"sha1\": \"0x" + std::string(40, '1') +
         "\"}]}], \"pk\": [{\"SignatureOwner\": "
         "\"8be4df61-93ca-11d2-aa0d-00e098032b8c\", \"SignatureData\": "
         "\"0x3082\"}], \"kek\": [], \"db\": [], \"dbx\": [{\"SignatureOwner\":"
         " \"77fa9abd-0359-4d32-bd60-28f4e78f784b\", \"SignatureData\": \"" +
         kHash + "\"}], \"mokdig\": [{\"sha256\": \"" + kHash +
         "\"}], \"mokxdig\": [], \"kernels\": [{\"shim_authcode_sha256\": \"" +
         kHash + "\", \"grub_authcode_sha256\": \"" + kHash +
         "\", \"kernel_authcode_sha256\": \"" + kHash +
         "\", \"vmlinuz_plain_sha256\": \"" + kHash +
         "\", \"initrd_plain_sha256\": \"" + kHash +
         "\", \"kernel_cmdline\": \".*ro quiet.*\"}]}";
}

const BootPolicy& Policy(bool secureboot) {
  static const BootPolicy* with =
      new BootPolicy(*BootPolicy::Parse(State(true)));
  static const BootPolicy* without =
      new BootPolicy(*BootPolicy::Parse(State(false)));
  return secureboot ? *with : *without;
}

void Decode(const candor::eventlog::Event& e) {
  using namespace candor::eventlog;  // NOLINT
  (void)EventText(e);
  if (e.variable.has_value()) {
    (void)ParseSignatureLists(e.variable->data);
    (void)ParseBootOrder(e.variable->data);
    auto opt = ParseLoadOption(e.variable->data);
    if (opt.ok()) (void)DevicePathToText(opt->device_path);
  }
  if (e.image.has_value()) {
    (void)DevicePathToText(e.image->device_path);
    (void)IsFirmwareVolumePath(e.image->device_path);
  }
  if (e.type == kEvEfiGptEvent) (void)ParseGpt(e.data);
  if (e.type == kEvEfiHandoffTables) (void)ParseHandoffTables(e.data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view in(reinterpret_cast<const char*>(data), size);
  auto log = candor::eventlog::EventLog::Parse(in);
  if (!log.ok()) return 0;
  candor::tpm::PcrValues pcrs = candor::eventlog::Replay(*log);
  (void)candor::eventlog::CheckEventLog(*log, pcrs);
  for (const auto& e : log->events()) Decode(e);
  (void)Policy(true).Evaluate(*log);
  (void)Policy(false).Evaluate(*log);
  candor::policy::ReferenceStateOptions opts;
  opts.allow_without_secureboot = true;
  auto state = candor::policy::CreateReferenceState(*log, opts);
  if (state.ok()) {
    // A state made from a log must accept that log.
    auto failures = BootPolicy::FromReferenceState(*state).Evaluate(*log);
    if (!failures.empty()) __builtin_trap();
  }
  return 0;
}
