#include "lib/eventlog/replay.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/testing/log_builder.h"

namespace candor::eventlog {
namespace {

using testing::LogBuilder;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<uint32_t, std::string> HexBank(const tpm::PcrValues& v,
                                        TPM2_ALG_ID bank) {
  std::map<uint32_t, std::string> out;
  auto it = v.find(bank);
  if (it == v.end()) return out;
  for (const auto& [pcr, value] : it->second) {
    out[pcr] = absl::BytesToHexString(value);
  }
  return out;
}

// Golden values: what tpm2_eventlog 5.4 prints under "pcrs:" for these files
// (tests/integration/eventlog checks the same against the installed tool),
// except PCR 0 of the first log: it starts with a StartupLocality event
// (locality 3), which tpm2-tools 5.4 ignores while extending the EV_NO_ACTION
// event's zero digest (PFP 10.4.5.3: never extended; PCR 0 starts at 00..03).
TEST(ReplayTest, KeylimeLogMatchesTpm2Eventlog) {
  auto log =
      EventLog::Parse(ReadFile("tests/testdata/keylime/create-mb-policy/"
                               "binary_bios_measurements"));
  ASSERT_TRUE(log.ok()) << log.status();
  tpm::PcrValues pcrs = Replay(*log);
  std::map<uint32_t, std::string> sha1 = HexBank(pcrs, TPM2_ALG_SHA1);
  std::map<uint32_t, std::string> sha256 = HexBank(pcrs, TPM2_ALG_SHA256);
  ASSERT_EQ(sha1.size(), 11u);
  EXPECT_EQ(sha1[0], "78f3e576d5da8873860e557535d181f4a37e2963");
  EXPECT_EQ(sha1[7], "b7e9b0d88de19a6f949457be8b6aeb7a4d28fd0a");
  EXPECT_EQ(sha1[14], "ffaf5dfab351dc9b3b7a3cf748759e137f1601a8");
  ASSERT_EQ(sha256.size(), 11u);
  EXPECT_EQ(sha256[0],
            "0ee9a7feba8f4172f1a7451594aa5731665a4d353ac61814042ce107a00742f2");
  EXPECT_EQ(sha256[4],
            "a77ff9ab296e10186dd7e7082eab94e795b1ba9d84e920b09cf6272f68c2711c");
  EXPECT_EQ(sha256[8],
            "f5dc3feeda9a15dbcc11c6d99572bd063e8b0a435c222b4352c466726b0f5daf");
  EXPECT_EQ(sha256[9],
            "e0bde30667767849f70f6f1f5b561bc3d25d8aff186b8db0ac405d652f80e3c4");
}

TEST(ReplayTest, SecureBootLogMatchesTpm2Eventlog) {
  auto log =
      EventLog::Parse(ReadFile("tests/testdata/keylime/create-mb-policy/"
                               "binary_bios_measurements-secureboot"));
  ASSERT_TRUE(log.ok()) << log.status();
  tpm::PcrValues pcrs = Replay(*log);
  EXPECT_EQ(pcrs.count(TPM2_ALG_SHA1), 0u);
  std::map<uint32_t, std::string> sha256 = HexBank(pcrs, TPM2_ALG_SHA256);
  EXPECT_EQ(sha256[0],
            "0d993cf4baec1dc2a47013c8bcc13e1593d5e6ba9cc4630f422e98d310212aff");
  EXPECT_EQ(sha256[7],
            "2f96e1f1bf7f91b6f17e1bcb823e717e43782ff75481237711f2ed7bf8a8edb1");
  EXPECT_EQ(sha256[14],
            "66c465262f16d108fd77f2f94c4ae0040f81b3168242a827fcf5efcd812de053");
}

TEST(ReplayTest, StartupLocalitySetsPcr0StartValue) {
  std::string digest = testing::HashOf(TPM2_ALG_SHA256, "x");
  auto with =
      EventLog::Parse(LogBuilder({TPM2_ALG_SHA256})
                          .Add(0, kEvNoAction, testing::StartupLocalityData(3))
                          .Add(0, kEvPostCode, "x")
                          .Build());
  auto without = EventLog::Parse(
      LogBuilder({TPM2_ALG_SHA256}).Add(0, kEvPostCode, "x").Build());
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_TRUE(without.ok()) << without.status();
  std::string start3(31, '\0');
  start3.push_back('\3');
  EXPECT_EQ(Replay(*with)[TPM2_ALG_SHA256][0],
            testing::HashOf(TPM2_ALG_SHA256, start3 + digest));
  EXPECT_EQ(Replay(*without)[TPM2_ALG_SHA256][0],
            testing::HashOf(TPM2_ALG_SHA256, std::string(32, '\0') + digest));
}

TEST(ReplayTest, HcrtmStartsPcr0AtLocalityFour) {
  auto log = EventLog::Parse(
      LogBuilder({TPM2_ALG_SHA256}).Add(0, kEvEfiHcrtmEvent, "HCRTM").Build());
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->pcr0_locality(), 4);
  std::string start(31, '\0');
  start.push_back('\4');
  EXPECT_EQ(Replay(*log)[TPM2_ALG_SHA256][0],
            testing::HashOf(TPM2_ALG_SHA256,
                            start + testing::HashOf(TPM2_ALG_SHA256, "HCRTM")));
}

TEST(ReplayTest, NoActionEventsAreNeverExtended) {
  auto log = EventLog::Parse(
      LogBuilder({TPM2_ALG_SHA1}).Add(5, kEvNoAction, "anything").Build());
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(Replay(*log)[TPM2_ALG_SHA1][5], std::string(20, '\0'));
  EXPECT_FALSE(log->Measures(5));
}

TEST(ReplayTest, LateStartupLocalityIsRejected) {
  auto log =
      EventLog::Parse(LogBuilder({TPM2_ALG_SHA256})
                          .Add(0, kEvPostCode, "x")
                          .Add(0, kEvNoAction, testing::StartupLocalityData(3))
                          .Build());
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("StartupLocality event after PCR 0"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace candor::eventlog
