// The agent serving what the tools emulate, across a simulated reboot: logs
// from bootlog_gen and ima_emulator that replay (lib/eventlog, lib/ima) to the
// PCRs the agent's quote covers; then reboot_sim (TPM2_Shutdown, swtpm reset,
// Startup, a new boot log, a new IMA log, a new boot id) while the agent keeps
// running: the next quote has the new boot id, PCR 16 bound again, the new
// logs replay to the new PCRs, and an IMA position from the old boot answers
// from entry 0.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/eventlog/checks.h"
#include "lib/eventlog/event_log.h"
#include "lib/ima/replay.h"
#include "tests/harness/subprocess.h"
#include "tests/integration/agent/agent_fixture.h"

namespace candor {
namespace {

std::string Tool(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/candor/tools/", name);
}

absl::Status RunTool(std::vector<std::string> argv, const std::string& tcti) {
  testing::SubprocessOptions o;
  o.argv = std::move(argv);
  o.extra_env = {"TPM2TOOLS_TCTI=" + tcti};
  static int n = 0;
  o.stdout_path = Tmp(absl::StrCat("tool.", n++, ".out"));
  return testing::RunCommand(o, absl::Seconds(120));
}

class RebootTest : public AgentTest {
 protected:
  // A quote over PCRs 0-10 and 16 with the logs, checked against them.
  void QuoteAndCheck(uint64_t ima_start, v1::Evidence* out) {
    v1::EvidenceRequest req = Request({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16});
    req.set_want_boot_log(true);
    req.set_ima_start_entry(ima_start);
    auto ev = Quote(req);
    ASSERT_TRUE(ev.ok()) << ev.status() << testing::FileTail(log_);
    auto quoted = convert::ValuesFromProto(ev->quote().pcr_values());
    ASSERT_TRUE(quoted.ok());
    auto log = eventlog::EventLog::Parse(ev->boot_log());
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_THAT(eventlog::CheckEventLog(*log, *quoted), ::testing::IsEmpty());
    std::vector<absl::string_view> lines(ev->ima_entries().lines().begin(),
                                         ev->ima_entries().lines().end());
    auto state = ima::ReplayState::AtBoot(TPM2_ALG_SHA256);
    ASSERT_TRUE(state.ok());
    ima::ReplayOptions opts;
    opts.quoted_pcr10 = quoted->at(TPM2_ALG_SHA256).at(10);
    std::vector<v1::Failure> findings;
    auto replay = ima::Replay(*state, lines, opts, [](auto&&...) {}, &findings);
    ASSERT_TRUE(replay.ok()) << replay.status();
    EXPECT_TRUE(replay->pcr_matched);
    EXPECT_THAT(findings, ::testing::IsEmpty());
    *out = std::move(*ev);
  }
};

TEST_F(RebootTest, LogsReplayToTheQuoteBeforeAndAfterASimulatedReboot) {
  auto id = Identity();
  ASSERT_TRUE(id.ok());
  const std::string tcti = tpm_->tcti();
  // First boot: the firmware's and the kernel's measurements.
  ASSERT_TRUE(RunTool({Tool("bootlog_gen"), "--tcti=" + tcti,
                       "--out=" + Tmp("boot.log"), "--force"},
                      tcti)
                  .ok());
  ASSERT_TRUE(RunTool({Tool("ima_emulator"), "--tcti=" + tcti,
                       "--log=" + Tmp("ima.log"), "init", "--force"},
                      tcti)
                  .ok());
  ASSERT_TRUE(RunTool({Tool("ima_emulator"), "--tcti=" + tcti,
                       "--log=" + Tmp("ima.log"), "add", "--count=50"},
                      tcti)
                  .ok());
  v1::Evidence first;
  ASSERT_NO_FATAL_FAILURE(QuoteAndCheck(0, &first));
  EXPECT_EQ(first.boot_id(), "boot-1");
  EXPECT_EQ(first.ima_entries().total_entries(), 51u);

  // Reboot, with the agent running throughout.
  ASSERT_TRUE(RunTool({Tool("reboot_sim"), "--tcti=" + tcti,
                       "--boot_log=" + Tmp("boot.log"),
                       "--ima_log=" + Tmp("ima.log"),
                       "--boot_id_file=" + Tmp("boot_id")},
                      tcti)
                  .ok());
  // The verifier still holds the old boot's position: the agent answers
  // from entry 0 of the new log and says so.
  v1::EvidenceRequest req = Request({10});
  req.set_ima_start_entry(51);
  auto ev = Quote(req);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_TRUE(ev->ima_entries().restarted_from_zero());
  EXPECT_NE(ev->boot_id(), "boot-1");

  v1::Evidence second;
  ASSERT_NO_FATAL_FAILURE(QuoteAndCheck(0, &second));
  // PCR 16 carries the transport key again after the TPM reset.
  auto quoted = convert::ValuesFromProto(second.quote().pcr_values());
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->at(TPM2_ALG_SHA256).at(16),
            crypto::Sha256(std::string(32, '\0') +
                           crypto::Sha256(id->identity().transport_public_key())));
  // The same boot configuration gives the same log (and PCRs 0-9) again.
  EXPECT_TRUE(second.boot_log() == first.boot_log());
}

}  // namespace
}  // namespace candor
