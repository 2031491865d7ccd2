// bootlog_gen on a real swtpm: tpm2_eventlog (tpm2-tools 5.4) reads the
// generated log without warnings and computes the PCRs that tpm2_pcrread
// reads from the TPM; lib/eventlog's parse + replay gives them too and its
// integrity checks pass; with an unprovisioned TPM every one of its four
// banks is in the log and matches.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/eventlog/checks.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/replay.h"
#include "tests/harness/resources.h"
#include "tests/integration/tools/tools_fixture.h"

namespace candor::tools::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::vector<uint32_t> kBootPcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14};
const std::vector<TPM2_ALG_ID> kBanks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};

class BootlogGenTest : public SwtpmToolsTest {
 protected:
  // Runs bootlog_gen against the swtpm; returns its output.
  std::string Generate(const std::string& out,
                       std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--tcti", tcti(), "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunTool("bootlog_gen", args);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->exit_code, 0) << r->output;
    return r->output;
  }

  // tpm2_eventlog on `log`: rc 0, no warning, and its computed PCRs.
  tpm::PcrValues Tpm2Eventlog(const std::string& log,
                              const std::string& version = "1") {
    auto r = RunTpm2(tcti(), "tpm2_eventlog",
                     {"--eventlog-version=" + version, log});
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->exit_code, 0) << r->output;
    EXPECT_THAT(r->output, Not(HasSubstr("WARN")));
    EXPECT_THAT(r->output, Not(HasSubstr("ERROR")));
    if (version == "2") {
      EXPECT_THAT(r->output, HasSubstr("UnicodeName: SecureBoot"));
    }
    auto pcrs = ParsePcrYaml(r->output, "pcrs:");
    EXPECT_TRUE(pcrs.ok()) << pcrs.status();
    return pcrs.value_or(tpm::PcrValues());
  }

  // Everything the TPM holds equals every independent reading of the log.
  void ExpectLogMatchesTpm(const std::string& path,
                           const std::vector<TPM2_ALG_ID>& banks) {
    const tpm::PcrValues tpm_pcrs = PcrRead(banks, kBootPcrs);
    ASSERT_EQ(tpm_pcrs.size(), banks.size());
    EXPECT_EQ(EsysPcrs(banks, kBootPcrs), tpm_pcrs);
    EXPECT_EQ(Tpm2Eventlog(path), tpm_pcrs);
    EXPECT_EQ(Tpm2Eventlog(path, "2"), tpm_pcrs);
    auto log = eventlog::EventLog::Parse(*ReadFile(path));
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ(log->banks(), banks);
    EXPECT_EQ(eventlog::Replay(*log), tpm_pcrs);
    eventlog::QuoteCheckOptions o;
    o.pcrs_if_measured = {8, 9, 14};
    EXPECT_THAT(eventlog::CheckEventLog(*log, tpm_pcrs, o), IsEmpty());
  }
};

TEST_F(BootlogGenTest, DefaultBootMatchesTheTpm) {
  const std::string path = Path("bios.bin");
  std::string out = Generate(path);
  EXPECT_THAT(out, HasSubstr("Secure Boot on"));
  ExpectLogMatchesTpm(path, kBanks);
  // Measured once per TPM reset.
  auto again = RunTool("bootlog_gen", {"--tcti", tcti(), "--out", path});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->exit_code, 1);
  EXPECT_THAT(again->output, HasSubstr("not at its reset value"));
}

TEST_F(BootlogGenTest, TamperedBootChangesTheRightPcrs) {
  Generate(Path("good.bin"));
  const tpm::PcrValues good = PcrRead(kBanks, kBootPcrs);
  ASSERT_TRUE(swtpm().Ioctl("-i").ok());
  ASSERT_TRUE(RunTpm2(tcti(), "tpm2_startup", {"-c"}).ok());
  ASSERT_TRUE(WriteFileAtomically(Path("initrd"), "an initrd").ok());
  const std::string path = Path("tampered.bin");
  Generate(path, {"--cmdline", "root=/dev/vda1 ro init=/bin/sh",
                  "--kernel_digest", "sha256:" + std::string(64, 'e'),
                  "--initrd_digest", "file:" + Path("initrd")});
  ExpectLogMatchesTpm(path, kBanks);
  const tpm::PcrValues bad = PcrRead(kBanks, kBootPcrs);
  for (uint32_t same : {0u, 1u, 2u, 3u, 5u, 6u, 7u, 14u}) {
    EXPECT_EQ(bad.at(TPM2_ALG_SHA256).at(same),
              good.at(TPM2_ALG_SHA256).at(same))
        << same;
  }
  for (uint32_t changed : {4u, 8u, 9u}) {
    EXPECT_NE(bad.at(TPM2_ALG_SHA256).at(changed),
              good.at(TPM2_ALG_SHA256).at(changed))
        << changed;
  }
}

TEST_F(BootlogGenTest, SecureBootOff) {
  const std::string path = Path("sb-off.bin");
  EXPECT_THAT(Generate(path, {"--secureboot", "0", "--seed", "node-7"}),
              HasSubstr("Secure Boot off"));
  ExpectLogMatchesTpm(path, kBanks);
  auto r = RunTpm2(tcti(), "tpm2_eventlog", {"--eventlog-version=2", path});
  EXPECT_THAT(r->output, HasSubstr("Enabled: 'No'"));
}

TEST_F(BootlogGenTest, NoExtendOnlyWritesTheFile) {
  const tpm::PcrValues before = PcrRead(kBanks, kBootPcrs);
  const std::string path = Path("offline.bin");
  auto r = RunTool("bootlog_gen",
                   {"--no-extend", "--out", path, "--banks", "sha256"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0) << r->output;
  EXPECT_EQ(PcrRead(kBanks, kBootPcrs), before);
  auto log = eventlog::EventLog::Parse(*ReadFile(path));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->banks(), std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA256});
  auto bad = RunTool("bootlog_gen", {"--no-extend", "--out", path,
                                     "--shim_digest", "sha256:12"});
  EXPECT_EQ(bad->exit_code, 2);
  EXPECT_THAT(bad->output, HasSubstr("--shim_digest"));
}

TEST(BootlogGenAllBanksTest, UnprovisionedTpmWithFourBanks) {
  candor::testing::SwtpmOptions o;
  o.provision = false;  // all four banks active
  auto swtpm = candor::testing::Swtpm::Start(o);
  CANDOR_REQUIRE_RESOURCE(swtpm);
  const std::string tcti = (*swtpm)->tcti();
  const std::string path = candor::testing::TestTmpRoot() + "/four-banks.bin";
  auto r = RunTool("bootlog_gen", {"--tcti", tcti, "--out", path});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->output;
  const std::vector<TPM2_ALG_ID> banks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256,
                                          TPM2_ALG_SHA384, TPM2_ALG_SHA512};
  auto read = RunTpm2(tcti, "tpm2_pcrread", {PcrSpec(banks, kBootPcrs)});
  CANDOR_REQUIRE_RESOURCE(read);
  auto tpm_pcrs = ParsePcrYaml(read->output);
  ASSERT_TRUE(tpm_pcrs.ok());
  ASSERT_EQ(tpm_pcrs->size(), 4u);
  auto ev = RunTpm2(tcti, "tpm2_eventlog", {path});
  EXPECT_EQ(ev->exit_code, 0) << ev->output;
  EXPECT_THAT(ev->output, Not(HasSubstr("WARN")));
  EXPECT_EQ(*ParsePcrYaml(ev->output, "pcrs:"), *tpm_pcrs);
  auto log = eventlog::EventLog::Parse(*ReadFile(path));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->banks(), banks);
  EXPECT_EQ(eventlog::Replay(*log), *tpm_pcrs);
}

}  // namespace
}  // namespace candor::tools::testing
