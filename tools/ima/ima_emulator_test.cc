// The emulator's append-then-extend logic on a FakeTpm: the log replays (with
// lib/ima) to PCR 10 in every bank, init refuses a PCR 10 that is not at its
// reset value, and a failed extend cuts the log back to what the TPM holds.
#include "tools/ima/ima_emulator.h"

#include <cstdlib>
#include <memory>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/ima/replay.h"
#include "lib/tpm/testing/fake_tpm.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;
using tpm::testing::FakeTpm;

const std::vector<TPM2_ALG_ID> kBanks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

// A FakeTpm behind a Tpm whose ExtendPcrMany applies only the first
// `fail_after` extends and then fails like a TPM that went away (and, with
// `unreadable`, stays away).
class FailingTpm : public tpm::Tpm {
 public:
  static std::unique_ptr<FailingTpm> Make() {
    auto t = std::make_unique<FailingTpm>();
    t->inner_ = *FakeTpm::Create();
    return t;
  }
  absl::Status ExtendPcrMany(const std::vector<tpm::PcrExtend>& e) override {
    if (fail_after < 0) return inner_->ExtendPcrMany(e);
    std::vector<tpm::PcrExtend> some(
        e.begin(), e.begin() + std::min<size_t>(e.size(), fail_after));
    absl::Status s = inner_->ExtendPcrMany(some);
    if (!s.ok()) return s;
    if (unreadable) inner_->SimulatePowerLoss();
    return absl::UnavailableError("Esys_PCR_Extend: tcti:IO failure");
  }
  absl::StatusOr<tpm::PcrValues> ReadPcrs(const tpm::PcrSelection& s) override {
    return inner_->ReadPcrs(s);
  }
  absl::StatusOr<tpm::TpmFacts> Facts() override { return inner_->Facts(); }
  absl::StatusOr<std::string> EkPublic(tpm::EkType t) override {
    return inner_->EkPublic(t);
  }
  absl::StatusOr<std::string> EkCertificate(tpm::EkType t) override {
    return inner_->EkCertificate(t);
  }
  absl::StatusOr<tpm::AkBlobs> CreateAk(tpm::AkType t, tpm::EkType p) override {
    return inner_->CreateAk(t, p);
  }
  absl::Status LoadAk(absl::string_view a, absl::string_view b,
                      tpm::EkType p) override {
    return inner_->LoadAk(a, b, p);
  }
  absl::StatusOr<tpm::TpmQuote> Quote(const tpm::PcrSelection& s,
                                      absl::string_view n) override {
    return inner_->Quote(s, n);
  }
  absl::Status ResetPcr(uint32_t pcr) override { return inner_->ResetPcr(pcr); }
  absl::Status ExtendPcr(uint32_t pcr, const tpm::PcrDigests& d) override {
    return inner_->ExtendPcr(pcr, d);
  }
  absl::StatusOr<crypto::SecretBytes> ActivateCredential(
      absl::string_view a, absl::string_view b, tpm::EkType e) override {
    return inner_->ActivateCredential(a, b, e);
  }
  absl::Status Startup(bool clear) override { return inner_->Startup(clear); }
  absl::Status Shutdown(bool clear) override { return inner_->Shutdown(clear); }

  int fail_after = -1;
  bool unreadable = false;
  std::unique_ptr<FakeTpm> inner_;
};

// PCR 10 of `bank` replayed by lib/ima from the log's lines.
std::string Replayed(const std::string& text, TPM2_ALG_ID bank) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  auto state = ima::ReplayState::AtBoot(bank, ima::ExtendMode::kPerBank);
  std::vector<candor::v1::Failure> findings;
  auto r = ima::Replay(
      *state, lines, ima::ReplayOptions(),
      [](const ima::Entry&, uint64_t, absl::string_view) {}, &findings);
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->chain_broken);
  EXPECT_EQ(r->consumed, lines.size());
  for (const auto& f : findings) {
    EXPECT_EQ(f.id(), "ima.violation") << f.DebugString();
  }
  return r->state.pcr10;
}

std::string Pcr10(tpm::Tpm& t, TPM2_ALG_ID bank) {
  auto v = t.ReadPcrs({{bank, {10}}});
  EXPECT_TRUE(v.ok()) << v.status();
  return v->at(bank).at(10);
}

TEST(ImaEmulatorTest, InitAndAppendReplayToPcr10) {
  auto fake = FakeTpm::Create();
  ASSERT_TRUE(fake.ok());
  tpm::Tpm& t = **fake;
  ASSERT_TRUE(t.ExtendPcr(4, {{TPM2_ALG_SHA1, std::string(20, 'a')},
                              {TPM2_ALG_SHA256, std::string(32, 'a')}})
                  .ok());
  const std::string path = TmpPath("ima1");
  auto log = ImaLogFile::Open(path);
  ASSERT_TRUE(log.ok());
  ImaInitOptions init;
  init.tmpl = ImaTemplate::kImaSig;
  auto agg = InitImaLog(t, *log, kBanks, init);
  ASSERT_TRUE(agg.ok()) << agg.status();
  auto state = ReadImaLogState(*log);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->entries, 1u);
  EXPECT_EQ(state->tmpl, ImaTemplate::kImaSig);

  std::vector<ImaRecord> records;
  for (int i = 0; i < 5000; ++i) {  // more than one batch
    records.push_back(*MakeMeasurement(
        ImaTemplate::kImaSig, "/usr/bin/f" + std::to_string(i),
        ima::HashAlgo::kSha256, std::string(32, static_cast<char>(i))));
  }
  records.push_back(*MakeViolation(ImaTemplate::kImaSig, "/var/tmp/v",
                                   ima::HashAlgo::kSha256));
  ASSERT_TRUE(AppendImaRecords(t, *log, records, kBanks).ok());
  EXPECT_EQ(ReadImaLogState(*log)->entries, 5002u);
  const std::string text = *ReadFile(path);
  for (TPM2_ALG_ID bank : kBanks) {
    EXPECT_EQ(Replayed(text, bank), Pcr10(t, bank)) << tpm::BankName(bank);
  }
}

TEST(ImaEmulatorTest, InitRefusesAnExtendedPcr10UnlessForced) {
  auto fake = FakeTpm::Create();
  tpm::Tpm& t = **fake;
  auto log = ImaLogFile::Open(TmpPath("ima2"));
  ASSERT_TRUE(InitImaLog(t, *log, kBanks, {}).ok());
  auto again = InitImaLog(t, *log, kBanks, {});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("reboot"));
  ImaInitOptions force;
  force.force = true;
  EXPECT_TRUE(InitImaLog(t, *log, kBanks, force).ok());
  EXPECT_EQ(ReadImaLogState(*log)->entries, 1u);
  ImaInitOptions sha384;
  sha384.force = true;
  sha384.boot_aggregate_algo = ima::HashAlgo::kSha384;
  EXPECT_EQ(InitImaLog(t, *log, kBanks, sha384).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ImaEmulatorTest, StateNeedsABootAggregateAndDropsAPartialLine) {
  const std::string path = TmpPath("ima3");
  auto log = ImaLogFile::Open(path);
  EXPECT_EQ(ReadImaLogState(*log).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(log->Append("garbage line\n").ok());
  EXPECT_THAT(ReadImaLogState(*log).status().message(), HasSubstr("line 1"));
  ASSERT_TRUE(log->Truncate(0).ok());
  auto agg = MakeMeasurement(ImaTemplate::kImaNg, "boot_aggregate",
                             ima::HashAlgo::kSha256, std::string(32, '\0'));
  ASSERT_TRUE(log->Append(agg->line + "\n10 abc").ok());
  auto state = ReadImaLogState(*log);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->entries, 1u);
  EXPECT_EQ(*ReadFile(path), agg->line + "\n");
}

TEST(ImaEmulatorTest, FailedExtendCutsTheLogBackToThePcr) {
  auto t = FailingTpm::Make();
  const std::string path = TmpPath("ima4");
  auto log = ImaLogFile::Open(path);
  ASSERT_TRUE(InitImaLog(*t, *log, kBanks, {}).ok());
  std::vector<ImaRecord> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(
        *MakeMeasurement(ImaTemplate::kImaNg, "/f" + std::to_string(i),
                         ima::HashAlgo::kSha256, std::string(32, 'x')));
  }
  t->fail_after = 4;
  absl::Status s = AppendImaRecords(*t, *log, records, kBanks);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("4 of this batch's 10 entries"));
  EXPECT_EQ(ReadImaLogState(*log)->entries, 5u);
  for (TPM2_ALG_ID bank : kBanks) {
    EXPECT_EQ(Replayed(*ReadFile(path), bank), Pcr10(*t->inner_, bank));
  }
  // When PCR 10 cannot be read back, the error says the log may be ahead.
  t->fail_after = 0;
  t->unreadable = true;
  s = AppendImaRecords(*t, *log, records, kBanks);
  EXPECT_THAT(s.message(), HasSubstr("may be ahead of PCR 10 by up to 10"));
}

}  // namespace
}  // namespace candor::tools
