// Generated boot logs read back by lib/eventlog (parse, replay, integrity
// checks) and lib/policy/boot (a reference state made from one boot passes
// it and catches a tampered boot); extends reproduce the replay in a TPM.
#include "tools/bootlog/bootlog.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/eventlog/checks.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/replay.h"
#include "lib/policy/boot/create.h"
#include "lib/policy/boot/evaluate.h"
#include "lib/tpm/testing/fake_tpm.h"
#include "tools/bootlog/boot_events.h"
#include "tools/bootlog/boot_flags.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

eventlog::EventLog Parse(const BootLog& log) {
  auto parsed = eventlog::EventLog::Parse(log.bytes);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return *std::move(parsed);
}

std::vector<std::string> FailureIds(
    const std::vector<candor::v1::Failure>& failures) {
  std::vector<std::string> ids;
  for (const auto& f : failures) ids.push_back(f.id());
  return ids;
}

eventlog::QuoteCheckOptions AllBootPcrs() {
  eventlog::QuoteCheckOptions o;
  o.pcrs_if_measured = {8, 9, 14};
  return o;
}

TEST(BootlogTest, ParsesReplaysAndPassesTheIntegrityChecks) {
  for (bool sb : {true, false}) {
    BootConfig c;
    c.secure_boot = sb;
    auto log = GenerateBootLog(c);
    ASSERT_TRUE(log.ok()) << log.status();
    eventlog::EventLog parsed = Parse(*log);
    EXPECT_EQ(parsed.events().size(), log->events + 1);
    EXPECT_EQ(parsed.banks(),
              (std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA1, TPM2_ALG_SHA256}));
    tpm::PcrValues replayed = eventlog::Replay(parsed);
    for (uint32_t pcr : BootPcrs()) {
      EXPECT_TRUE(parsed.Measures(pcr)) << pcr;
    }
    EXPECT_THAT(
        FailureIds(eventlog::CheckEventLog(parsed, replayed, AllBootPcrs())),
        IsEmpty());
    // The extends give the same PCRs in a TPM.
    auto tpm = tpm::testing::FakeTpm::Create();
    ASSERT_TRUE(ExtendBootLog(**tpm, *log, c.banks, false).ok());
    auto now = (*tpm)->ReadPcrs(
        {{TPM2_ALG_SHA1, BootPcrs()}, {TPM2_ALG_SHA256, BootPcrs()}});
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(*now, replayed);
    EXPECT_THAT(
        FailureIds(eventlog::CheckEventLog(parsed, *now, AllBootPcrs())),
        IsEmpty());
    // Measured once per reset.
    EXPECT_EQ(ExtendBootLog(**tpm, *log, c.banks, false).code(),
              absl::StatusCode::kFailedPrecondition);
  }
}

TEST(BootlogTest, DeterministicForASeed) {
  BootConfig c;
  auto a = GenerateBootLog(c);
  auto b = GenerateBootLog(c);
  c.seed = "other";
  auto d = GenerateBootLog(c);
  ASSERT_TRUE(a.ok() && b.ok() && d.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_NE(a->bytes, d->bytes);
}

TEST(BootlogTest, AllFourBanks) {
  BootConfig c;
  c.banks = {TPM2_ALG_SHA512, TPM2_ALG_SHA1, TPM2_ALG_SHA384, TPM2_ALG_SHA256};
  auto log = GenerateBootLog(c);
  ASSERT_TRUE(log.ok()) << log.status();
  eventlog::EventLog parsed = Parse(*log);
  EXPECT_EQ(parsed.banks(),
            (std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA1, TPM2_ALG_SHA256,
                                      TPM2_ALG_SHA384, TPM2_ALG_SHA512}));
  tpm::PcrValues replayed = eventlog::Replay(parsed);
  EXPECT_EQ(replayed.size(), 4u);
  EXPECT_EQ(replayed.at(TPM2_ALG_SHA512).at(4).size(), 64u);
  c.banks = {TPM2_ALG_SM3_256};
  EXPECT_FALSE(GenerateBootLog(c).ok());
}

TEST(BootlogTest, AReferenceStateFromOneBootCatchesATamperedOne) {
  BootConfig good;
  auto log = GenerateBootLog(good);
  ASSERT_TRUE(log.ok());
  eventlog::EventLog parsed = Parse(*log);
  auto state = policy::CreateReferenceState(parsed);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(state->has_secureboot);
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(*state, parsed)),
              IsEmpty());
  // The same boot again (same seed): still passes.
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(
                  *state, Parse(*GenerateBootLog(good)))),
              IsEmpty());

  BootConfig cmdline = good;
  cmdline.cmdline = EffectiveCmdline(good) + " init=/bin/sh";
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(
                  *state, Parse(*GenerateBootLog(cmdline)))),
              ::testing::Contains("boot.kernel_cmdline_mismatch"));
  BootConfig kernel = good;
  kernel.kernel = DigestSpec::Text("a rootkit kernel");
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(
                  *state, Parse(*GenerateBootLog(kernel)))),
              ::testing::Contains("boot.kernel_not_allowed"));
  BootConfig initrd = good;
  initrd.initrd = DigestSpec::Text("another initrd");
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(
                  *state, Parse(*GenerateBootLog(initrd)))),
              ::testing::Contains("boot.initrd_mismatch"));
  BootConfig sb_off = good;
  sb_off.secure_boot = false;
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(
                  *state, Parse(*GenerateBootLog(sb_off)))),
              ::testing::Contains("boot.secureboot_disabled"));

  // Without Secure Boot a state needs allow_without_secureboot.
  eventlog::EventLog off = Parse(*GenerateBootLog(sb_off));
  EXPECT_FALSE(policy::CreateReferenceState(off).ok());
  policy::ReferenceStateOptions allow;
  allow.allow_without_secureboot = true;
  auto off_state = policy::CreateReferenceState(off, allow);
  ASSERT_TRUE(off_state.ok()) << off_state.status();
  EXPECT_THAT(FailureIds(policy::EvaluateReferenceState(*off_state, off)),
              IsEmpty());
}

TEST(BootlogTest, EventShapes) {
  BootConfig c;
  c.cmdline = "root=/dev/vda1 ro";
  auto log = GenerateBootLog(c);
  eventlog::EventLog parsed = Parse(*log);
  int separators = 0, apps = 0;
  bool cmdline = false;
  for (const eventlog::Event& e : parsed.events()) {
    if (e.type == eventlog::kEvSeparator) ++separators;
    if (e.type == eventlog::kEvEfiBootServicesApplication) {
      ++apps;
      EXPECT_TRUE(e.image.has_value());
    }
    if (e.pcr == 8 && e.data.rfind("kernel_cmdline: ", 0) == 0) {
      EXPECT_EQ(e.data, std::string("kernel_cmdline: /vmlinuz-6.1.0-18-amd64 "
                                    "root=/dev/vda1 ro\0",
                                    58));
      cmdline = true;
    }
    if (eventlog::IsVariableEvent(e.type)) {
      EXPECT_TRUE(e.variable.has_value()) << e.number;
    }
  }
  EXPECT_EQ(separators, 8);
  EXPECT_EQ(apps, 3);  // shim, grub, kernel
  EXPECT_TRUE(cmdline);
}

TEST(BootlogTest, InstallWritesTheFileAfterExtending) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/bios";
  auto log = GenerateBootLog(BootConfig());
  ASSERT_TRUE(InstallBootLog(nullptr, *log, path, {}, false).ok());
  EXPECT_EQ(*ReadFile(path), log->bytes);
  auto tpm = tpm::testing::FakeTpm::Create();
  ASSERT_TRUE(
      (*tpm)->ExtendPcr(0, {{TPM2_ALG_SHA1, std::string(20, 'x')}}).ok());
  BootConfig other;
  other.seed = "2";
  auto log2 = GenerateBootLog(other);
  absl::Status s =
      InstallBootLog(tpm->get(), *log2, path, {TPM2_ALG_SHA1}, false);
  EXPECT_THAT(s.message(), HasSubstr("PCR 0 (sha1)"));
  EXPECT_EQ(*ReadFile(path), log->bytes);  // untouched
  EXPECT_FALSE(ReadFile(path + ".new").ok());
  EXPECT_TRUE(
      InstallBootLog(tpm->get(), *log2, path, {TPM2_ALG_SHA1}, true).ok());
  EXPECT_EQ(*ReadFile(path), log2->bytes);
}

TEST(BootFlagsTest, MakeBootConfig) {
  BootFlags f;
  f.secureboot = 0;
  f.cmdline = "quiet";
  f.kernel_digest = "sha256:" + std::string(64, 'a');
  auto c = MakeBootConfig(f);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->secure_boot);
  EXPECT_EQ(c->cmdline, "quiet");
  ASSERT_TRUE(c->kernel.has_value());
  EXPECT_FALSE(c->shim.has_value());
  f.grub_digest = "sha256:12";
  EXPECT_THAT(MakeBootConfig(f).status().message(), HasSubstr("--grub_digest"));
  f.grub_digest.clear();
  f.db_cert = "/nonexistent.pem";
  EXPECT_EQ(MakeBootConfig(f).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::tools
