// Hostile and broken inputs: every one must be a clean INVALID_ARGUMENT that
// names where the problem is, never a crash (this test also runs under ASan).
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/testing/log_builder.h"

namespace candor::eventlog {
namespace {

using ::testing::HasSubstr;
using testing::LogBuilder;
using testing::U16;
using testing::U32;

std::string RealLog() {
  std::ifstream in(
      "tests/testdata/keylime/create-mb-policy/binary_bios_measurements",
      std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectRejected(const std::string& bytes, absl::string_view why) {
  auto log = EventLog::Parse(bytes);
  ASSERT_FALSE(log.ok()) << "accepted; expected: " << why;
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(log.status().message(), HasSubstr(why));
  EXPECT_THAT(log.status().message(), HasSubstr("byte offset"));
}

// Every prefix of the real log, in 8 slices (the test is sharded so that the
// slices run in parallel, also under ASan).
class TruncatedTest : public ::testing::TestWithParam<int> {};

TEST_P(TruncatedTest, TruncatedAtEveryOffset) {
  static const std::string* full = new std::string(RealLog());
  auto whole = EventLog::Parse(*full);
  ASSERT_TRUE(whole.ok()) << whole.status();
  // A prefix ending exactly at an event boundary is a shorter valid log.
  std::set<size_t> boundaries;
  for (const Event& e : whole->events()) boundaries.insert(e.offset);
  size_t slice = (full->size() + 7) / 8;
  size_t begin = slice * GetParam();
  size_t end = std::min(full->size(), begin + slice);
  for (size_t n = begin; n < end; ++n) {
    auto log = EventLog::Parse(absl::string_view(*full).substr(0, n));
    if (boundaries.count(n) > 0 && n > 0) {
      EXPECT_TRUE(log.ok()) << n << ": " << log.status();
    } else {
      ASSERT_FALSE(log.ok()) << "prefix of " << n << " bytes parsed";
      EXPECT_THAT(log.status().message(), HasSubstr("byte offset")) << n;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Slices, TruncatedTest, ::testing::Range(0, 8));

TEST(AdversarialTest, TrailingBytes) {
  std::string full = RealLog();
  ExpectRejected(full + std::string(1, '\0'), "event 121 at byte offset 49088");
  ExpectRejected(full + std::string(11, '\0'), "trailing bytes");
  ExpectRejected(full + std::string(64, '\0'), "digest count 0");
}

TEST(AdversarialTest, WrongBankSizesInSpecId) {
  ExpectRejected(LogBuilder({TPM2_ALG_SHA256})
                     .SpecIdDigestSize(TPM2_ALG_SHA256, 20)
                     .Build(),
                 "algorithm sha256 has digest size 20, expected 32");
  ExpectRejected(
      LogBuilder({TPM2_ALG_SHA1}).SpecIdDigestSize(TPM2_ALG_SHA1, 0).Build(),
      "digest size 0");
  ExpectRejected(LogBuilder({0x0099}).SpecIdDigestSize(0x0099, 65).Build(),
                 "expected 1-64");
  ExpectRejected(LogBuilder({TPM2_ALG_SHA1, TPM2_ALG_SHA1}).Build(),
                 "listed twice");
  ExpectRejected(LogBuilder().SpecIdUintnSize(3).Build(), "uintnSize is 3");
}

TEST(AdversarialTest, UnknownBankIsParsedButNotReplayable) {
  auto log = EventLog::Parse(LogBuilder({0x0099, TPM2_ALG_SHA256})
                                 .SpecIdDigestSize(0x0099, 16)
                                 .Add(0, kEvPostCode, "x")
                                 .Build());
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->events()[1].DigestFor(0x0099)->size(), 16u);
}

std::string SpecIdWithAlgorithmCount(uint32_t count) {
  std::string spec("Spec ID Event03\0", 16);
  spec += U32(0) + std::string{0, 2, 0, 2} + U32(count);
  for (uint32_t i = 0; i < count && i < 16; ++i) spec += U16(0x000b) + U16(32);
  spec.push_back('\0');
  return U32(0) + U32(kEvNoAction) + std::string(20, '\0') +
         U32(static_cast<uint32_t>(spec.size())) + spec;
}

TEST(AdversarialTest, AlgorithmAndDigestCountsBeyondLimits) {
  ExpectRejected(SpecIdWithAlgorithmCount(0), "numberOfAlgorithms is 0");
  ExpectRejected(SpecIdWithAlgorithmCount(9), "numberOfAlgorithms is 9");
  ExpectRejected(SpecIdWithAlgorithmCount(0xffffffff),
                 "numberOfAlgorithms is 4294967295");
  std::string log = LogBuilder({TPM2_ALG_SHA256}).Build();
  ExpectRejected(log + U32(0) + U32(kEvPostCode) + U32(0xffffffff),
                 "digest count 4294967295 differs");
  ExpectRejected(log + U32(0) + U32(kEvPostCode) + U32(2), "digest count 2");
  // A digest of a bank the SpecID does not list, and one listed twice.
  ExpectRejected(LogBuilder({TPM2_ALG_SHA256})
                     .AddWithDigests(0, kEvPostCode, "x",
                                     {{TPM2_ALG_SHA1, std::string(20, 'a')}})
                     .Build(),
                 "which the SpecID does not list");
  ExpectRejected(log + U32(0) + U32(kEvPostCode) + U32(1) +
                     U16(TPM2_ALG_SHA256) + std::string(31, 'a'),
                 "truncated in the sha256 digest");
}

TEST(AdversarialTest, TooManyEvents) {
  LogBuilder b({TPM2_ALG_SHA1});
  for (size_t i = 0; i < kMaxEvents; ++i) b.Add(0, kEvNoAction, "");
  ExpectRejected(b.Build(), "more than 100000 events");
}

TEST(AdversarialTest, HugeSizes) {
  std::string log = LogBuilder({TPM2_ALG_SHA1}).Build();
  std::string event = U32(0) + U32(kEvPostCode) + U32(1) + U16(TPM2_ALG_SHA1) +
                      std::string(20, 'a');
  ExpectRejected(log + event + U32(0xffffffff),
                 "event size 4294967295 exceeds");
  ExpectRejected(log + event + U32(0x7fffffff) + "abc", "event size");
  auto too_big = EventLog::Parse(std::string(kMaxLogBytes + 1, '\0'));
  EXPECT_THAT(too_big.status().message(), HasSubstr("more than the limit"));
  // SpecID event size beyond the file.
  ExpectRejected(
      U32(0) + U32(kEvNoAction) + std::string(20, '\0') + U32(0xfffffff0),
      "SpecID event size");
}

TEST(AdversarialTest, BadHeaders) {
  ExpectRejected(std::string(31, '\0'), "header needs 32 bytes");
  ExpectRejected(U32(0) + U32(kEvPostCode) + std::string(24, '\0'),
                 "not a crypto-agile event log");
  ExpectRejected(U32(0) + U32(kEvNoAction) + std::string(20, '\x01') + U32(0),
                 "digest is not all zeros");
  std::string v2("Spec ID Event02\0", 16);
  ExpectRejected(
      U32(0) + U32(kEvNoAction) + std::string(20, '\0') + U32(v2.size()) + v2,
      "SHA-1-only (TPM 1.2)");
  ExpectRejected(LogBuilder().Add(24, kEvPostCode, "x").Build(),
                 "PCR index 24 is above 23");
}

TEST(AdversarialTest, MalformedTypedData) {
  ExpectRejected(LogBuilder()
                     .Add(7, kEvEfiVariableDriverConfig, std::string(31, 'a'))
                     .Build(),
                 "too short for the 32-byte UEFI_VARIABLE_DATA header");
  std::string var = testing::VariableData(EfiGlobalVariableGuid(), "PK", "xyz");
  ExpectRejected(
      LogBuilder()
          .Add(7, kEvEfiVariableDriverConfig,
               var.substr(0, 16) + testing::U64(1ull << 62) + var.substr(24))
          .Build(),
      "UnicodeNameLength 4611686018427387904 exceeds");
  ExpectRejected(
      LogBuilder()
          .Add(7, kEvEfiVariableAuthority, var.substr(0, var.size() - 1))
          .Build(),
      "VariableDataLength 3 exceeds");
  ExpectRejected(
      LogBuilder()
          .Add(4, kEvEfiBootServicesApplication, std::string(31, 'a'))
          .Build(),
      "UEFI_IMAGE_LOAD_EVENT header");
  ExpectRejected(LogBuilder()
                     .Add(4, kEvEfiBootServicesApplication,
                          testing::ImageLoadData("abcd").substr(0, 34))
                     .Build(),
                 "LengthOfDevicePath 4 exceeds");
  ExpectRejected(LogBuilder()
                     .Add(0, kEvEfiPlatformFirmwareBlob, std::string(15, 'a'))
                     .Build(),
                 "BlobBase/BlobLength");
  ExpectRejected(
      LogBuilder()
          .Add(0, kEvNoAction, testing::StartupLocalityData(3).substr(0, 16))
          .Build(),
      "StartupLocality event without its locality byte");
}

}  // namespace
}  // namespace candor::eventlog
