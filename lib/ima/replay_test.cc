// Replay: both extend modes on every bank, mode detection, violations, the
// all-0xFF template hash, incremental replay and the errors of a bad log.
#include "lib/ima/replay.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/ima/hex.h"
#include "lib/ima/testing/log_builder.h"

namespace candor::ima {
namespace {

using candor::v1::Failure;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::LogBuilder;

std::vector<std::string> Ids(const std::vector<Failure>& fs) {
  std::vector<std::string> ids;
  for (const Failure& f : fs) ids.push_back(f.id());
  return ids;
}

LogBuilder TenEntries() {
  LogBuilder b;
  b.ImaNg("boot_aggregate", HashAlgo::kSha256, std::string(32, '\x42'));
  for (int i = 1; i < 10; ++i) {
    b.ImaNgOf(absl::StrCat("/usr/bin/tool", i), absl::StrCat("content ", i));
  }
  return b;
}

struct ReplayRun {
  ReplayResult result;
  std::vector<Failure> findings;
  std::vector<uint64_t> visited;
};

ReplayRun DoReplay(const ReplayState& from,
                   const std::vector<absl::string_view>& lines,
                   const ReplayOptions& opts) {
  ReplayRun run;
  absl::StatusOr<ReplayResult> r = Replay(
      from, lines, opts,
      [&](const Entry&, uint64_t index, absl::string_view) {
        run.visited.push_back(index);
      },
      &run.findings);
  EXPECT_TRUE(r.ok()) << r.status();
  if (r.ok()) run.result = *r;
  return run;
}

TEST(ReplayTest, OfflineMatchesIndependentComputationOnEveryBank) {
  LogBuilder b = TenEntries();
  for (TPM2_ALG_ID bank :
       {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512}) {
    for (ExtendMode mode : {ExtendMode::kPerBank, ExtendMode::kPaddedSha1}) {
      ReplayState s = *ReplayState::AtBoot(bank, mode);
      ReplayRun run = DoReplay(s, b.views(), {});
      EXPECT_THAT(run.findings, IsEmpty());
      EXPECT_EQ(run.result.consumed, 10u);
      EXPECT_FALSE(run.result.chain_broken);
      EXPECT_EQ(HexEncode(run.result.state.pcr10),
                HexEncode(b.Pcr10(bank, mode)))
          << bank << " " << ExtendModeName(mode);
      EXPECT_EQ(run.result.state.next_entry, 10u);
    }
  }
}

TEST(ReplayTest, DetectsExtendModeFromQuote) {
  LogBuilder b = TenEntries();
  b.Violation("/var/log/messages");
  b.ImaNgOf("/usr/bin/last", "last");
  for (TPM2_ALG_ID bank : {TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512}) {
    for (ExtendMode mode : {ExtendMode::kPerBank, ExtendMode::kPaddedSha1}) {
      ReplayOptions o;
      o.quoted_pcr10 = b.Pcr10(bank, mode);
      ReplayRun run = DoReplay(*ReplayState::AtBoot(bank), b.views(), o);
      EXPECT_TRUE(run.result.pcr_matched);
      EXPECT_EQ(run.result.consumed, 12u);
      EXPECT_EQ(run.result.state.mode, mode) << ExtendModeName(mode);
      EXPECT_EQ(run.result.state.pcr10, o.quoted_pcr10);
      EXPECT_THAT(Ids(run.findings), ElementsAre("ima.violation"));
      EXPECT_EQ(run.findings[0].context().at("line"), "11");
      EXPECT_EQ(run.visited.size(), 12u);
    }
  }
  // SHA-1: both modes are the same extend; per_bank is recorded.
  ReplayOptions o;
  o.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA1, ExtendMode::kPaddedSha1);
  ReplayRun run = DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA1), b.views(), o);
  EXPECT_TRUE(run.result.pcr_matched);
  EXPECT_EQ(run.result.state.mode, ExtendMode::kPerBank);
}

TEST(ReplayTest, WrongModeStateNeverMatches) {
  LogBuilder b = TenEntries();
  ReplayOptions o;
  o.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPaddedSha1);
  ReplayRun run =
      DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256, ExtendMode::kPerBank),
               b.views(), o);
  EXPECT_FALSE(run.result.pcr_matched);
  EXPECT_THAT(Ids(run.findings), ElementsAre("ima.pcr_mismatch"));
  EXPECT_EQ(run.result.state.next_entry, 0u);  // not advanced
}

TEST(ReplayTest, IncrementalResumesMidLog) {
  LogBuilder b = TenEntries();
  std::vector<absl::string_view> all = b.views();
  // The quote lags the log: it covers 4 entries, 7 were sent.
  ReplayOptions o;
  o.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank, 4);
  ReplayRun first = DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256),
                             {all.begin(), all.begin() + 7}, o);
  ASSERT_TRUE(first.result.pcr_matched);
  EXPECT_EQ(first.result.consumed, 4u);
  EXPECT_EQ(first.result.state.next_entry, 4u);
  EXPECT_EQ(first.result.state.mode, ExtendMode::kPerBank);
  EXPECT_THAT(first.visited, ElementsAre(0, 1, 2, 3));

  // Next cycle: entries 4.. from the saved state.
  o.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  ReplayRun second =
      DoReplay(first.result.state, {all.begin() + 4, all.end()}, o);
  ASSERT_TRUE(second.result.pcr_matched);
  EXPECT_EQ(second.result.consumed, 6u);
  EXPECT_EQ(second.result.state.next_entry, 10u);
  EXPECT_THAT(second.visited, ElementsAre(4, 5, 6, 7, 8, 9));

  // A quote equal to the saved value consumes nothing.
  ReplayRun none = DoReplay(second.result.state, {}, o);
  EXPECT_TRUE(none.result.pcr_matched);
  EXPECT_EQ(none.result.consumed, 0u);
  ReplayRun none2 =
      DoReplay(first.result.state, {all.begin() + 4, all.end()}, [&] {
        ReplayOptions q;
        q.quoted_pcr10 = first.result.state.pcr10;
        return q;
      }());
  EXPECT_TRUE(none2.result.pcr_matched);
  EXPECT_EQ(none2.result.consumed, 0u);
}

TEST(ReplayTest, QuoteNeverReached) {
  LogBuilder b = TenEntries();
  ReplayOptions o;
  o.quoted_pcr10 = std::string(32, '\x07');
  ReplayRun run = DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256), b.views(), o);
  EXPECT_FALSE(run.result.pcr_matched);
  ASSERT_THAT(Ids(run.findings), ElementsAre("ima.pcr_mismatch"));
  EXPECT_EQ(run.findings[0].context().at("bank"), "sha256");
  EXPECT_EQ(run.result.state.pcr10, std::string(32, '\0'));
  EXPECT_EQ(run.result.state.mode, ExtendMode::kUnknown);
}

TEST(ReplayTest, AllFfTemplateHashIsAMismatchNotAViolation) {
  LogBuilder b;
  b.ImaNgOf("/bin/a", "a");
  std::string line = b.ImaNgOf("/bin/evil", "evil");
  std::string ff = absl::StrCat("10 ", std::string(40, 'f'), line.substr(43));
  std::vector<absl::string_view> lines = {b.lines()[0], ff};
  // The PCR authenticates the data (per-bank sha256), so the entry replays
  // to the quote, but the forged hash field is reported.
  ReplayOptions o;
  o.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  ReplayRun run = DoReplay(
      *ReplayState::AtBoot(TPM2_ALG_SHA256, ExtendMode::kPerBank), lines, o);
  EXPECT_TRUE(run.result.pcr_matched);
  ASSERT_THAT(Ids(run.findings), ElementsAre("ima.template_hash_mismatch"));
  EXPECT_EQ(run.findings[0].context().at("line"), "2");
  EXPECT_EQ(run.findings[0].context().at("path"), "/bin/evil");
}

TEST(ReplayTest, TemplateHashCheckedOfflineAndOnRequest) {
  LogBuilder b;
  std::string good = b.ImaNgOf("/bin/a", "a");
  // Trailing garbage on an ima-ng line becomes part of the name: the
  // template hash no longer matches.
  std::string bad = good + " trailing";
  std::vector<absl::string_view> lines = {bad};
  ReplayRun offline =
      DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256), lines, {});
  EXPECT_THAT(Ids(offline.findings), ElementsAre("ima.template_hash_mismatch"));

  LogBuilder b2;
  b2.Raw(bad);
  ReplayOptions o;
  o.quoted_pcr10 = b2.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  ReplayState s = *ReplayState::AtBoot(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  ReplayRun fast = DoReplay(s, lines, o);
  EXPECT_TRUE(fast.result.pcr_matched);
  EXPECT_THAT(fast.findings, IsEmpty());  // the bank authenticates the data
  o.check_template_hash = true;
  ReplayRun checked = DoReplay(s, lines, o);
  EXPECT_THAT(Ids(checked.findings), ElementsAre("ima.template_hash_mismatch"));
}

TEST(ReplayTest, ViolationsExtendFfOnEachBankAndMode) {
  LogBuilder b;
  b.Violation("/etc/ld.so.cache");
  b.Violation("/tmp/x", HashAlgo::kSha1);
  for (TPM2_ALG_ID bank : {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA512}) {
    for (ExtendMode mode : {ExtendMode::kPerBank, ExtendMode::kPaddedSha1}) {
      ReplayRun run = DoReplay(*ReplayState::AtBoot(bank, mode), b.views(), {});
      EXPECT_EQ(run.result.state.pcr10, b.Pcr10(bank, mode));
      EXPECT_THAT(Ids(run.findings),
                  ElementsAre("ima.violation", "ima.violation"));
    }
  }
  // The first step by hand: H(0^32 || FF^32).
  std::string ff(32, '\xff');
  EXPECT_EQ(b.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank, 1),
            testing::HashOf(HashAlgo::kSha256, std::string(32, '\0') + ff));
}

TEST(ReplayTest, MalformedLineStopsAQuotedReplay) {
  LogBuilder b = TenEntries();
  std::vector<absl::string_view> lines = b.views();
  lines[3] = "10 garbage";
  ReplayOptions o;
  o.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA256, ExtendMode::kPerBank);
  ReplayRun run = DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256), lines, o);
  EXPECT_FALSE(run.result.pcr_matched);
  EXPECT_EQ(run.result.consumed, 3u);
  ASSERT_THAT(Ids(run.findings), ElementsAre("ima.log_malformed"));
  EXPECT_EQ(run.findings[0].context().at("line"), "4");

  ReplayRun offline =
      DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256), lines, {});
  EXPECT_TRUE(offline.result.chain_broken);
  EXPECT_EQ(offline.result.consumed, 10u);
  EXPECT_EQ(offline.visited.size(), 9u);
}

TEST(ReplayTest, OtherPcrAndUnsupportedTemplate) {
  LogBuilder b;
  std::string line = b.ImaNgOf("/bin/a", "a");
  std::string pcr11 = "11" + line.substr(2);
  std::string tmpl = line;
  tmpl.replace(tmpl.find("ima-ng"), 6, "ima-ngv2");
  std::vector<absl::string_view> lines = {pcr11, tmpl, line};
  ReplayRun run = DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256), lines, {});
  EXPECT_THAT(Ids(run.findings),
              ElementsAre("ima.log_malformed", "ima.unsupported_template"));
  EXPECT_THAT(run.visited, ElementsAre(2));
}

// A log written by an independent Python script (every template, a
// violation, a path with a space, a non-UTF-8 path): every template hash
// must equal SHA-1 of the template data we rebuild.
TEST(ReplayTest, IndependentGoldenLogReplaysClean) {
  std::ifstream in("lib/ima/testdata/fuzz/ima_line/mixed_templates",
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 9u);
  ReplayRun run = DoReplay(*ReplayState::AtBoot(TPM2_ALG_SHA256), lines, {});
  EXPECT_THAT(Ids(run.findings), ElementsAre("ima.violation"));
  EXPECT_EQ(run.visited.size(), 9u);
  EXPECT_FALSE(run.result.chain_broken);
}

TEST(ReplayTest, BadArguments) {
  ReplayState s = *ReplayState::AtBoot(TPM2_ALG_SHA256);
  std::vector<Failure> f;
  ReplayOptions o;
  o.quoted_pcr10 = std::string(20, '\0');  // a SHA-1 value for SHA-256
  auto noop = [](const Entry&, uint64_t, absl::string_view) {};
  EXPECT_EQ(Replay(s, {}, o, noop, &f).status().code(),
            absl::StatusCode::kInvalidArgument);
  s.pcr10 = "short";
  EXPECT_EQ(Replay(s, {}, {}, noop, &f).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ReplayState::AtBoot(TPM2_ALG_RSA).ok());
}

}  // namespace
}  // namespace candor::ima
