// The reboot sequence on a FakeTpm (a power loss standing in for
// swtpm_ioctl -i): counters, PCRs, both logs and the boot id.
#include "tools/reboot/reboot.h"

#include <cstdlib>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/replay.h"
#include "lib/tpm/testing/fake_tpm.h"
#include "tools/bootlog/bootlog.h"
#include "tools/common/digest_spec.h"
#include "tools/ima/ima_record.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;
using tpm::testing::FakeTpm;

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

RebootOptions Options() {
  RebootOptions o;
  o.boot_log_path = TmpPath("bios");
  o.ima_log_path = TmpPath("ima");
  o.boot_id_path = TmpPath("boot_id");
  return o;
}

TEST(RebootTest, ResetsAndWritesNewLogsAndBootId) {
  auto fake = FakeTpm::Create();
  FakeTpm& t = **fake;
  ASSERT_TRUE(t.ExtendPcr(10, {{TPM2_ALG_SHA256, std::string(32, 'x')}}).ok());
  ASSERT_TRUE(WriteFileAtomically(TmpPath("ima"), "old\nlines\n").ok());
  const uint32_t resets = t.reset_count();
  RebootOptions o = Options();
  o.boot.cmdline = "root=/dev/vda ro";
  int resets_called = 0;
  auto r = SimulateReboot(
      t,
      [&] {
        ++resets_called;
        t.SimulatePowerLoss();
        return absl::OkStatus();
      },
      o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(resets_called, 1);
  EXPECT_EQ(t.reset_count(), resets + 1);
  EXPECT_EQ(*ReadFile(o.boot_id_path), r->boot_id + "\n");
  EXPECT_THAT(r->boot_id, ::testing::MatchesRegex("[0-9a-f-]{36}"));

  auto log = eventlog::EventLog::Parse(*ReadFile(o.boot_log_path));
  ASSERT_TRUE(log.ok()) << log.status();
  tpm::PcrValues replayed = eventlog::Replay(*log);
  auto boot =
      t.ReadPcrs({{TPM2_ALG_SHA1, BootPcrs()}, {TPM2_ALG_SHA256, BootPcrs()}});
  EXPECT_EQ(*boot, replayed);

  std::vector<std::string> lines =
      absl::StrSplit(*ReadFile(o.ima_log_path), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u);
  auto pcrs = t.ReadPcrs({{TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}});
  auto agg =
      MakeBootAggregate(ImaTemplate::kImaNg, ima::HashAlgo::kSha256, *pcrs);
  EXPECT_EQ(lines[0], agg->line);
  auto pcr10 = t.ReadPcrs({{TPM2_ALG_SHA256, {10}}});
  auto e = Pcr10Extend(*agg, {TPM2_ALG_SHA256});
  std::string expect = std::string(32, '\0') + e->digests.at(TPM2_ALG_SHA256);
  EXPECT_EQ(pcr10->at(TPM2_ALG_SHA256).at(10),
            *BankHash(TPM2_ALG_SHA256, expect));

  // A second reboot gives a new boot id; keep_ima_template keeps ima-sig.
  ASSERT_TRUE(WriteFileAtomically(
                  o.ima_log_path,
                  MakeMeasurement(ImaTemplate::kImaSig, "/x",
                                  ima::HashAlgo::kSha256, std::string(32, 'a'))
                          ->line +
                      "\n")
                  .ok());
  o.keep_ima_template = true;
  auto r2 = SimulateReboot(
      t,
      [&] {
        t.SimulatePowerLoss();
        return absl::OkStatus();
      },
      o);
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_NE(r2->boot_id, r->boot_id);
  EXPECT_THAT(r2->boot_aggregate_line, HasSubstr(" ima-sig "));
}

TEST(RebootTest, AFailedResetNamesTheStep) {
  auto fake = FakeTpm::Create();
  RebootOptions o = Options();
  ASSERT_TRUE(WriteFileAtomically(o.boot_id_path, "old-id\n").ok());
  auto r = SimulateReboot(
      **fake, [] { return absl::UnavailableError("swtpm_ioctl: refused"); }, o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("step 2"));
  EXPECT_EQ(*ReadFile(o.boot_id_path), "old-id\n");
  o.boot_id_path.clear();
  EXPECT_EQ(SimulateReboot(
                **fake, [] { return absl::OkStatus(); }, o)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::tools
