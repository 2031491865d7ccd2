// reboot_sim on a real swtpm: resetCount goes up, the PCRs start over, a new
// boot id is written, and the new boot log and IMA log again replay to the
// TPM (tpm2_eventlog, lib/eventlog, lib/ima); a failed reset leaves the boot
// id alone.
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/digest.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/replay.h"
#include "lib/ima/hex.h"
#include "lib/ima/replay.h"
#include "tests/integration/tools/tools_fixture.h"

namespace candor::tools::testing {
namespace {

using ::testing::HasSubstr;

const std::vector<uint32_t> kBootPcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14};
const std::vector<TPM2_ALG_ID> kBanks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};

class RebootSimTest : public SwtpmToolsTest {
 protected:
  ProgramResult Run(const std::string& tool, std::vector<std::string> args) {
    auto r = RunTool(tool, args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(ProgramResult());
  }

  std::vector<std::string> ImaLines() {
    return absl::StrSplit(*ReadFile(Path("ima")), '\n', absl::SkipEmpty());
  }

  std::string ReplayIma(TPM2_ALG_ID bank) {
    std::vector<std::string> lines = ImaLines();
    std::vector<absl::string_view> views(lines.begin(), lines.end());
    std::vector<candor::v1::Failure> findings;
    auto r = ima::Replay(
        *ima::ReplayState::AtBoot(bank), views, ima::ReplayOptions(),
        [](const ima::Entry&, uint64_t, absl::string_view) {}, &findings);
    EXPECT_TRUE(r.ok() && !r->chain_broken);
    EXPECT_TRUE(findings.empty());
    return r->state.pcr10;
  }

  void ExpectBothLogsMatchTpm() {
    const tpm::PcrValues boot = PcrRead(kBanks, kBootPcrs);
    auto ev = RunTpm2(tcti(), "tpm2_eventlog", {Path("bios")});
    ASSERT_TRUE(ev.ok());
    EXPECT_EQ(ev->exit_code, 0);
    EXPECT_THAT(ev->output, ::testing::Not(HasSubstr("WARN")));
    EXPECT_EQ(*ParsePcrYaml(ev->output, "pcrs:"), boot);
    auto log = eventlog::EventLog::Parse(*ReadFile(Path("bios")));
    ASSERT_TRUE(log.ok());
    EXPECT_EQ(eventlog::Replay(*log), boot);
    std::string concat;
    for (uint32_t i = 0; i <= 9; ++i) concat += boot.at(TPM2_ALG_SHA256).at(i);
    EXPECT_THAT(ImaLines()[0],
                HasSubstr("sha256:" + ima::HexEncode(crypto::Sha256(concat)) +
                          " boot_aggregate"));
    const tpm::PcrValues pcr10 = PcrRead(kBanks, {10});
    for (TPM2_ALG_ID bank : kBanks) {
      EXPECT_EQ(ReplayIma(bank), pcr10.at(bank).at(10)) << tpm::BankName(bank);
    }
  }

  std::vector<std::string> RebootArgs() {
    return {"--tcti",    tcti(),      "--boot_log",     Path("bios"),
            "--ima_log", Path("ima"), "--boot_id_file", Path("boot_id")};
  }
};

TEST_F(RebootSimTest, RebootResetsTheTpmAndWritesNewLogsAndBootId) {
  // The node's first boot.
  ASSERT_EQ(
      Run("bootlog_gen", {"--tcti", tcti(), "--out", Path("bios")}).exit_code,
      0);
  ASSERT_EQ(Run("ima_emulator", {"--tcti", tcti(), "--log", Path("ima"), "init",
                                 "--template", "ima-sig"})
                .exit_code,
            0);
  ASSERT_EQ(Run("ima_emulator", {"--tcti", tcti(), "--log", Path("ima"), "add",
                                 "--count", "300"})
                .exit_code,
            0);
  ASSERT_TRUE(WriteFileAtomically(Path("boot_id"), "first-boot\n").ok());
  ExpectBothLogsMatchTpm();
  const tpm::PcrValues first = PcrRead(kBanks, kBootPcrs);
  const uint64_t resets = ResetCount();

  // Reboot into a tampered command line.
  std::vector<std::string> args = RebootArgs();
  args.insert(args.end(), {"--cmdline", "root=/dev/vda1 ro init=/bin/sh"});
  ProgramResult r = Run("reboot_sim", args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ResetCount(), resets + 1);
  const std::string boot_id = *ReadFile(Path("boot_id"));
  EXPECT_THAT(boot_id, ::testing::MatchesRegex(
                           "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]"
                           "{3}-[0-9a-f]{12}\n"));
  ASSERT_EQ(ImaLines().size(), 1u);
  EXPECT_THAT(ImaLines()[0], HasSubstr(" ima-sig "));  // the old template
  ExpectBothLogsMatchTpm();
  const tpm::PcrValues second = PcrRead(kBanks, kBootPcrs);
  EXPECT_EQ(second.at(TPM2_ALG_SHA256).at(0), first.at(TPM2_ALG_SHA256).at(0));
  EXPECT_NE(second.at(TPM2_ALG_SHA256).at(8), first.at(TPM2_ALG_SHA256).at(8));

  // The emulator goes on in the new boot, and a third boot is the first
  // again (same seed and options: same PCRs), with another boot id.
  ASSERT_EQ(Run("ima_emulator", {"--tcti", tcti(), "--log", Path("ima"), "add",
                                 "--count", "50"})
                .exit_code,
            0);
  ExpectBothLogsMatchTpm();
  r = Run("reboot_sim", RebootArgs());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ResetCount(), resets + 2);
  EXPECT_NE(*ReadFile(Path("boot_id")), boot_id);
  EXPECT_EQ(PcrRead(kBanks, kBootPcrs), first);
  ExpectBothLogsMatchTpm();
}

TEST_F(RebootSimTest, AFailedResetLeavesTheBootIdAlone) {
  ASSERT_TRUE(WriteFileAtomically(Path("boot_id"), "first-boot\n").ok());
  std::vector<std::string> args = RebootArgs();
  args.insert(args.end(), {"--ctrl", "127.0.0.1:1"});
  ProgramResult r = Run("reboot_sim", args);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("step 2"));
  EXPECT_EQ(*ReadFile(Path("boot_id")), "first-boot\n");
  // The TPM was only shut down: it still answers.
  EXPECT_EQ(PcrRead(kBanks, {0}).size(), 2u);
}

}  // namespace
}  // namespace candor::tools::testing
