#include "tools/bootlog/bootlog_commands.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/replay.h"
#include "lib/tpm/testing/fake_tpm.h"
#include "tools/bootlog/bootlog.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;
using tpm::testing::FakeTpm;

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(BootlogCommandsTest, ChooseBanks) {
  FakeTpm::Options o;
  o.banks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384};
  auto tpm = FakeTpm::Create(o);
  std::string warning;
  EXPECT_EQ(*ChooseBanks(tpm->get(), "", &warning), o.banks);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(*ChooseBanks(nullptr, "", &warning),
            (std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA1, TPM2_ALG_SHA256}));
  EXPECT_EQ(*ChooseBanks(tpm->get(), "sha256", &warning),
            std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA256});
  EXPECT_THAT(warning, HasSubstr("reset values"));
  EXPECT_THAT(ChooseBanks(tpm->get(), "sha512", &warning).status().message(),
              HasSubstr("no sha512 bank"));
  EXPECT_EQ(*ChooseBanks(nullptr, "sha512", &warning),
            std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA512});
}

TEST(BootlogCommandsTest, WritesExtendsAndSummarizes) {
  auto tpm = FakeTpm::Create();
  BootlogGenFlags f;
  f.out = TmpPath("bios.bin");
  auto r = RunBootlogGen(tpm->get(), f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(*r, HasSubstr("extended PCRs 0-9 and 14"));
  EXPECT_THAT(*r, HasSubstr("PCR 14 sha256"));
  auto log = eventlog::EventLog::Parse(*ReadFile(f.out));
  ASSERT_TRUE(log.ok()) << log.status();
  tpm::PcrValues replayed = eventlog::Replay(*log);
  auto now = (*tpm)->ReadPcrs(
      {{TPM2_ALG_SHA1, BootPcrs()}, {TPM2_ALG_SHA256, BootPcrs()}});
  EXPECT_EQ(*now, replayed);
  EXPECT_EQ(RunBootlogGen(tpm->get(), f).status().code(),
            absl::StatusCode::kFailedPrecondition);
  f.out = TmpPath("bios2.bin");
  f.banks = "sha384";
  auto offline = RunBootlogGen(nullptr, f);
  ASSERT_TRUE(offline.ok()) << offline.status();
  EXPECT_THAT(*offline, HasSubstr("not extended"));
  EXPECT_EQ(eventlog::EventLog::Parse(*ReadFile(f.out))->banks(),
            std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA384});
  f.out.clear();
  EXPECT_EQ(RunBootlogGen(nullptr, f).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::tools
