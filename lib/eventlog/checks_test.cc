#include "lib/eventlog/checks.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/replay.h"
#include "lib/eventlog/testing/log_builder.h"
#include "lib/failure/catalogue.h"

namespace candor::eventlog {
namespace {

using ::testing::HasSubstr;
using testing::LogBuilder;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

EventLog MustParse(const std::string& bytes) {
  auto log = EventLog::Parse(bytes);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : EventLog();
}

class FixtureChecksTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FixtureChecksTest, RealLogsPassEveryCheck) {
  std::string bytes = ReadFile(GetParam());
  if (absl::string_view(GetParam()).find(".b64") != absl::string_view::npos) {
    std::string bin;
    ASSERT_TRUE(absl::Base64Unescape(bytes, &bin));
    bytes = bin;
  }
  EventLog log = MustParse(bytes);
  tpm::PcrValues quoted = Replay(log);
  for (const auto& f : CheckEventLog(log, quoted)) {
    ADD_FAILURE() << f.id() << ": " << f.message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Keylime, FixtureChecksTest,
    ::testing::Values(
        "tests/testdata/keylime/create-mb-policy/binary_bios_measurements",
        "tests/testdata/keylime/create-mb-policy/"
        "binary_bios_measurements-secureboot",
        "tests/testdata/keylime/mb_log.b64"));

TEST(ChecksTest, QuoteMismatchNamesPcrAndBank) {
  EventLog log =
      MustParse(ReadFile("tests/testdata/keylime/create-mb-policy/"
                         "binary_bios_measurements"));
  tpm::PcrValues quoted = Replay(log);
  quoted[TPM2_ALG_SHA256][7][0] ^= 1;
  quoted[TPM2_ALG_SHA1][9][0] ^= 1;
  auto failures = CheckEventLog(log, quoted);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].id(), failure::kBootPcrMismatch);
  EXPECT_EQ(failures[0].context().at("pcr"), "9");
  EXPECT_EQ(failures[0].context().at("bank"), "sha1");
  EXPECT_EQ(failures[1].context().at("pcr"), "7");
  EXPECT_EQ(failures[1].context().at("bank"), "sha256");
}

TEST(ChecksTest, MissingQuotedPcrIsReported) {
  EventLog log =
      MustParse(ReadFile("tests/testdata/keylime/create-mb-policy/"
                         "binary_bios_measurements"));
  tpm::PcrValues quoted = Replay(log);
  quoted.erase(TPM2_ALG_SHA1);
  quoted[TPM2_ALG_SHA256].erase(8);
  quoted[TPM2_ALG_SHA256].erase(14);  // not checked by default
  auto failures = CheckReplayAgainstQuote(log, Replay(log), quoted);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].id(), failure::kPcrMissing);
  EXPECT_EQ(failures[0].context().at("pcr"), "8");
}

TEST(ChecksTest, UnmeasuredPcrMustHoldItsResetValue) {
  EventLog log = MustParse(LogBuilder({TPM2_ALG_SHA256})
                               .Add(0, kEvSeparator, std::string(4, '\0'))
                               .Build());
  tpm::PcrValues quoted;
  for (uint32_t p = 0; p < 8; ++p) {
    quoted[TPM2_ALG_SHA256][p] = std::string(32, '\0');
  }
  quoted[TPM2_ALG_SHA256][0] = Replay(log)[TPM2_ALG_SHA256][0];
  EXPECT_TRUE(CheckReplayAgainstQuote(log, Replay(log), quoted).empty());
  quoted[TPM2_ALG_SHA256][5] = std::string(32, '\1');
  auto failures = CheckReplayAgainstQuote(log, Replay(log), quoted);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].context().at("pcr"), "5");
}

TEST(ChecksTest, NoCommonBankIsAMismatch) {
  EventLog log = MustParse(LogBuilder({TPM2_ALG_SHA256}).Build());
  tpm::PcrValues quoted;
  quoted[TPM2_ALG_SHA1][0] = std::string(20, '\0');
  auto failures = CheckReplayAgainstQuote(log, Replay(log), quoted);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].id(), failure::kBootPcrMismatch);
  EXPECT_THAT(failures[0].message(), HasSubstr("not in the event log"));
}

TEST(ChecksTest, SeparatorLookalikeIsRejected) {
  std::string zeros(4, '\0');
  EventLog log =
      MustParse(LogBuilder()
                    .Add(4, kEvSeparator, zeros)
                    // A real separator digest under another type.
                    .AddHashed(4, kEvEfiBootServicesApplication,
                               testing::ImageLoadData(""), zeros)
                    .AddHashed(5, kEvEfiAction, "x", "\xff\xff\xff\xff")
                    .Build());
  auto failures = CheckSeparatorLookalikes(log);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].id(), failure::kBootSeparatorLookalike);
  EXPECT_EQ(failures[0].context().at("event"), "2");
  EXPECT_EQ(failures[0].context().at("type"),
            "EV_EFI_BOOT_SERVICES_APPLICATION");
  EXPECT_EQ(failures[1].context().at("event"), "3");
}

// Each type whose digest must cover its data, with a digest that does not.
TEST(ChecksTest, DigestNotCoveringDataForEachCheckedType) {
  Guid global = EfiGlobalVariableGuid();
  std::string var = testing::VariableData(global, "SecureBoot", "\x01");
  struct Case {
    uint32_t type;
    std::string data;
  } cases[] = {
      {kEvSCrtmVersion, testing::Utf16("1.0")},
      {kEvSeparator, std::string(4, '\0')},
      {kEvEfiVariableDriverConfig, var},
      {kEvEfiVariableAuthority, var},
      {kEvEfiGptEvent, "EFI PART"},
      {kEvEfiAction, "Calling EFI Application from Boot Option"},
      {kEvEfiVariableBoot, var},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(EventTypeLabel(c.type));
    EXPECT_TRUE(DigestCoversData(c.type));
    // Correct: H(data), or H(VariableData) for EV_EFI_VARIABLE_BOOT.
    std::string good = c.type == kEvEfiVariableBoot ? "\x01" : c.data;
    EXPECT_TRUE(
        CheckEventDigests(
            MustParse(LogBuilder().AddHashed(1, c.type, c.data, good).Build()))
            .empty());
    auto failures = CheckEventDigests(
        MustParse(LogBuilder().AddHashed(1, c.type, c.data, "other").Build()));
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].id(), failure::kBootDigestMismatch);
    EXPECT_EQ(failures[0].context().at("event"), "1");
  }
  // EV_EFI_VARIABLE_BOOT hashed over the whole structure is wrong too.
  EXPECT_EQ(CheckEventDigests(
                MustParse(LogBuilder().Add(1, kEvEfiVariableBoot, var).Build()))
                .size(),
            1u);
  // Types outside the list are not checked.
  EXPECT_FALSE(DigestCoversData(kEvPlatformConfigFlags));
  EXPECT_TRUE(CheckEventDigests(
                  MustParse(LogBuilder()
                                .AddHashed(1, kEvPlatformConfigFlags, "a", "b")
                                .Build()))
                  .empty());
}

TEST(ChecksTest, FindingsAreCapped) {
  LogBuilder b({TPM2_ALG_SHA256});
  for (size_t i = 0; i < kMaxFailuresPerCheck + 5; ++i) {
    b.AddHashed(5, kEvEfiAction, "x", "y");
  }
  auto failures = CheckEventDigests(MustParse(b.Build()));
  ASSERT_EQ(failures.size(), kMaxFailuresPerCheck + 1);
  EXPECT_EQ(failures.back().context().at("omitted"), "5");
}

}  // namespace
}  // namespace candor::eventlog
