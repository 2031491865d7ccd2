// Cross-checks Candor's UEFI event log parser and replay against the
// installed tpm2-tools `tpm2_eventlog` (an independent implementation): for
// every fixture log, the events' types and digests and the replayed PCRs of
// every bank must agree. One known tpm2-tools <= 5.4 deviation is recognised
// and reported rather than copied: it extends EV_NO_ACTION events (zero
// digests) into PCR 0 and ignores the StartupLocality event, where the PC
// Client PFP (10.4.5.3) says EV_NO_ACTION is never extended and PCR 0 starts
// at the startup locality.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/hashing.h"
#include "lib/eventlog/replay.h"
#include "lib/eventlog/testing/log_builder.h"
#include "lib/tpm/pcr_values.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"

namespace candor::eventlog {
namespace {

namespace harness = ::candor::testing;

constexpr char kTool[] = "/usr/bin/tpm2_eventlog";
constexpr char kDir[] = "tests/testdata/keylime/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TmpFile(const std::string& name, const std::string& bytes) {
  std::string path = absl::StrCat(harness::TestTmpRoot(), "/", name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

struct ToolEvent {
  std::string type;
  std::map<std::string, std::string> digests;  // bank name -> hex
};

struct ToolOutput {
  int exit_code = -1;
  std::vector<ToolEvent> events;
  std::map<std::string, std::map<uint32_t, std::string>> pcrs;  // bank->pcr
};

absl::Status ToolPresent() {
  std::ifstream f(kTool);
  if (!f) {
    return absl::NotFoundError(absl::StrCat(
        kTool, " is missing: install tpm2-tools (apt-get install tpm2-tools)"));
  }
  return absl::OkStatus();
}

// Runs tpm2_eventlog and parses the parts of its YAML we compare.
ToolOutput RunTool(const std::string& path) {
  static int n = 0;
  std::string out =
      absl::StrCat(harness::TestTmpRoot(), "/tool.", n++, ".yaml");
  harness::SubprocessOptions o;
  o.argv = {kTool, path};
  o.stdout_path = out;
  ToolOutput result;
  auto p = harness::Subprocess::Start(o);
  if (!p.ok()) return result;
  auto st = (*p)->Wait(absl::Seconds(30));
  result.exit_code =
      st.ok() && WIFEXITED(*st) ? WEXITSTATUS(*st) : 128 + WTERMSIG(*st);
  std::string bank, alg, pcr_bank;
  bool in_pcrs = false;
  for (absl::string_view line : absl::StrSplit(ReadFile(out), '\n')) {
    absl::string_view t = absl::StripAsciiWhitespace(line);
    if (line == "pcrs:") {
      in_pcrs = true;
    } else if (in_pcrs && absl::EndsWith(t, ":") &&
               !absl::StrContains(t, " ")) {
      pcr_bank = std::string(absl::StripSuffix(t, ":"));
    } else if (in_pcrs && absl::StrContains(t, ": 0x")) {
      std::vector<std::string> kv = absl::StrSplit(t, ": 0x");
      uint32_t pcr = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(kv[0]), &pcr)) {
        result.pcrs[pcr_bank][pcr] = kv[1];
      }
    } else if (absl::StartsWith(t, "- EventNum:")) {
      result.events.emplace_back();
      alg = "sha1";  // the SpecID event's digest has no AlgorithmId
    } else if (absl::StartsWith(t, "EventType:") && !result.events.empty()) {
      result.events.back().type =
          std::string(absl::StripAsciiWhitespace(t.substr(10)));
    } else if (absl::StartsWith(t, "- AlgorithmId:")) {
      alg = std::string(absl::StripAsciiWhitespace(t.substr(14)));
    } else if (absl::StartsWith(t, "Digest:") && !result.events.empty()) {
      std::string hex(absl::StripAsciiWhitespace(t.substr(7)));
      result.events.back().digests[alg] =
          std::string(absl::StripSuffix(absl::StripPrefix(hex, "\""), "\""));
    }
  }
  return result;
}

// PCR 0 as tpm2-tools <= 5.4 computes it: from zero, every PCR 0 event after
// the SpecID extended, EV_NO_ACTION included.
std::string Pcr0AsOldTpm2Tools(const EventLog& log, TPM2_ALG_ID bank) {
  std::string pcr(*tpm::BankDigestSize(bank), '\0');
  for (const Event& e : log.events()) {
    if (e.number == 0 || e.pcr != 0) continue;
    ExtendPcr(bank, &pcr, *e.DigestFor(bank));
  }
  return absl::BytesToHexString(pcr);
}

void CrossCheck(const std::string& path) {
  SCOPED_TRACE(path);
  auto log = EventLog::Parse(ReadFile(path));
  ASSERT_TRUE(log.ok()) << log.status();
  ToolOutput tool = RunTool(path);
  ASSERT_EQ(tool.exit_code, 0);

  // Events: same count, types and digests.
  ASSERT_EQ(tool.events.size(), log->events().size());
  for (const Event& e : log->events()) {
    const ToolEvent& t = tool.events[e.number];
    EXPECT_EQ(t.type, EventTypeLabel(e.type)) << "event " << e.number;
    ASSERT_EQ(t.digests.size(), e.digests.size()) << "event " << e.number;
    for (const EventDigest& d : e.digests) {
      EXPECT_EQ(t.digests.at(tpm::BankName(d.bank)),
                absl::BytesToHexString(d.value))
          << "event " << e.number;
    }
  }

  // Replay: every bank, every PCR.
  tpm::PcrValues ours = Replay(*log);
  ASSERT_EQ(tool.pcrs.size(), ours.size());
  for (const auto& [bank, values] : ours) {
    std::string name = tpm::BankName(bank);
    ASSERT_EQ(tool.pcrs.count(name), 1u) << name;
    const auto& theirs = tool.pcrs.at(name);
    ASSERT_EQ(theirs.size(), values.size()) << name;
    for (const auto& [pcr, value] : values) {
      std::string hex = absl::BytesToHexString(value);
      if (pcr == 0 && theirs.at(0) != hex &&
          theirs.at(0) == Pcr0AsOldTpm2Tools(*log, bank)) {
        // The tool's known deviation (see the file comment); ours follows
        // the PFP.
        std::cerr << path << ": " << name << " PCR 0: tpm2_eventlog extends "
                  << "EV_NO_ACTION / ignores StartupLocality (locality "
                  << int(log->pcr0_locality()) << "); Candor: " << hex << "\n";
        bool pcr0_no_action = false;
        for (const Event& e : log->events()) {
          pcr0_no_action |= e.number > 0 && e.pcr == 0 && e.type == kEvNoAction;
        }
        EXPECT_TRUE(pcr0_no_action);
        continue;
      }
      EXPECT_EQ(theirs.at(pcr), hex) << name << " PCR " << pcr;
    }
  }
}

class Tpm2EventlogTest : public ::testing::Test {
 protected:
  void SetUp() override { CANDOR_REQUIRE_RESOURCE(ToolPresent()); }
};

TEST_F(Tpm2EventlogTest, KeylimeLog) {
  CrossCheck(std::string(kDir) + "create-mb-policy/binary_bios_measurements");
}

TEST_F(Tpm2EventlogTest, KeylimeSecureBootLog) {
  CrossCheck(std::string(kDir) +
             "create-mb-policy/binary_bios_measurements-secureboot");
}

TEST_F(Tpm2EventlogTest, KeylimeBase64Log) {
  std::string bin;
  ASSERT_TRUE(
      absl::Base64Unescape(ReadFile(std::string(kDir) + "mb_log.b64"), &bin));
  CrossCheck(TmpFile("mb_log.bin", bin));
}

TEST_F(Tpm2EventlogTest, SyntheticLogWithFourBanks) {
  using testing::LogBuilder;
  std::string log =
      LogBuilder(
          {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512})
          .Add(0, kEvSCrtmVersion, testing::Utf16("1.0") + std::string(2, '\0'))
          .Add(0, kEvEfiPlatformFirmwareBlob, testing::U64(1) + testing::U64(2))
          .Add(7, kEvEfiVariableDriverConfig,
               testing::VariableData(EfiGlobalVariableGuid(), "SecureBoot",
                                     "\x01"))
          .Add(4, kEvEfiAction, "Calling EFI Application from Boot Option")
          .Add(0, kEvSeparator, std::string(4, '\0'))
          .Add(4, kEvSeparator, std::string(4, '\0'))
          .Add(7, kEvSeparator, std::string(4, '\0'))
          .AddHashed(4, kEvEfiBootServicesApplication,
                     testing::ImageLoadData(
                         testing::FileDevicePath("\\EFI\\BOOT\\BOOTX64.EFI")),
                     "authenticode")
          .Add(9, kEvIpl, std::string("(hd0,gpt2)/vmlinuz\0", 19))
          .AddHashed(8, kEvIpl, std::string("kernel_cmdline: ro\0", 19), "ro")
          .Build();
  CrossCheck(TmpFile("four_banks.bin", log));
}

TEST_F(Tpm2EventlogTest, BrokenLogsAreCleanErrorsForUs) {
  for (const char* f :
       {"binary_bios_measurements-empty", "binary_bios_measurements-bogus"}) {
    std::string path = absl::StrCat(kDir, "create-mb-policy/", f);
    auto log = EventLog::Parse(ReadFile(path));
    ASSERT_FALSE(log.ok()) << path;
    EXPECT_THAT(log.status().message(), ::testing::HasSubstr("byte offset 0"));
    // tpm2_eventlog fails on both too (on the bogus one, 5.4 crashes).
    EXPECT_NE(RunTool(path).exit_code, 0) << path;
  }
}

}  // namespace
}  // namespace candor::eventlog
