// EvaluateCycle over software-signed quotes, built UEFI logs and IMA logs:
// passing, incremental and paged cycles, every failure class, reboots and
// the IMA state on failure.
#include "lib/attest/cycle.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/replay.h"
#include "lib/eventlog/testing/log_builder.h"
#include "lib/ima/boot_aggregate.h"
#include "lib/ima/testing/log_builder.h"
#include "lib/quote/testing/quote_builder.h"

namespace candor::attest {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kNonce[] = "nonce-0123456789abcdef";
constexpr char kBootA[] = "11111111-1111-1111-1111-111111111111";
constexpr char kBootB[] = "22222222-2222-2222-2222-222222222222";

std::vector<std::string> Ids(const std::vector<v1::Failure>& fs) {
  std::vector<std::string> ids;
  for (const v1::Failure& f : fs) ids.push_back(f.id());
  return ids;
}

// What one GetQuote answer carries.
struct Answer {
  tpm::PcrValues values;
  std::vector<std::string> lines;  // IMA lines of the page
  uint64_t start = 0;
  bool more = false;
  bool restarted = false;
  std::string boot_log;
  std::string boot_id = kBootA;
  quote::testing::QuoteFields q;  // extra_data/selection/digest filled in
  bool wrong_key = false;
  bool wrong_digest = false;
};

class CycleTest : public ::testing::Test {
 protected:
  // RSA key generation is slow: two keys for the whole suite.
  static void SetUpTestSuite() {
    for (auto* slot : {&ak_, &other_ak_}) {
      auto ak = quote::testing::SoftwareAk::Generate(
          quote::testing::SoftwareAk::kRsa2048, TPM2_ALG_RSASSA,
          TPM2_ALG_SHA256);
      ASSERT_TRUE(ak.ok()) << ak.status();
      *slot = new quote::testing::SoftwareAk(*std::move(ak));
    }
  }
  static void TearDownTestSuite() {
    delete ak_;
    delete other_ak_;
    ak_ = other_ak_ = nullptr;
  }

  void SetUp() override {
    auto v = quote::AkVerifier::Create(ak_->tpm2b_public());
    ASSERT_TRUE(v.ok()) << v.status();
    verifier_ = *std::move(v);

    sel_ = {{TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16}}};
    boot_log_ = BootLog("1.0");
    auto log = eventlog::EventLog::Parse(boot_log_);
    ASSERT_TRUE(log.ok()) << log.status();
    tpm::PcrValues replayed = eventlog::Replay(*log);
    for (uint32_t p = 0; p <= 9; ++p) {
      auto it = replayed[TPM2_ALG_SHA256].find(p);
      base_[TPM2_ALG_SHA256][p] = it != replayed[TPM2_ALG_SHA256].end()
                                      ? it->second
                                      : std::string(32, '\0');
    }
    base_[TPM2_ALG_SHA256][15] = std::string(32, '\x15');
    pcr16_ =
        crypto::Sha256(std::string(32, '\0') + crypto::Sha256("transport key"));
    base_[TPM2_ALG_SHA256][16] = pcr16_;

    auto agg = ima::ExpectedBootAggregate(ima::HashAlgo::kSha256, base_);
    ASSERT_TRUE(agg.ok()) << agg.status();
    ima_.ImaNg("boot_aggregate", ima::HashAlgo::kSha256, *agg);
    ima_.ImaNgOf("/bin/a", "a");
    ima_.ImaNgOf("/bin/b", "b");
    runtime_ = Policy({"a", "b", "c"});

    auto st = AgentAttestationState::Initial();
    ASSERT_TRUE(st.ok());
    state_ = *std::move(st);
  }

  static std::string BootLog(absl::string_view version) {
    eventlog::testing::LogBuilder b({TPM2_ALG_SHA256});
    b.Add(0, eventlog::kEvSCrtmVersion, eventlog::testing::Utf16(version));
    for (uint32_t p = 0; p <= 7; ++p) {
      b.Add(p, eventlog::kEvSeparator, std::string(4, '\0'));
    }
    return b.Build();
  }

  // A policy allowing /bin/<n> with content <n> for each name.
  static std::unique_ptr<policy::RuntimePolicy> Policy(
      const std::vector<std::string>& names) {
    std::string json = R"({"meta": {"version": 1}, "digests": {)";
    for (size_t i = 0; i < names.size(); ++i) {
      absl::StrAppend(&json, i ? "," : "", "\"/bin/", names[i], "\": [\"",
                      absl::BytesToHexString(crypto::Sha256(names[i])), "\"]");
    }
    json += "}}";
    auto p = policy::RuntimePolicy::Load(json);
    EXPECT_TRUE(p.ok()) << p.status();
    return std::make_unique<policy::RuntimePolicy>(*std::move(p));
  }

  // Quoted values with PCR 10 after the first `entries` lines of `log`.
  tpm::PcrValues Values(const ima::testing::LogBuilder& log, size_t entries) {
    tpm::PcrValues v = base_;
    v[TPM2_ALG_SHA256][10] =
        log.Pcr10(TPM2_ALG_SHA256, ima::ExtendMode::kPerBank, entries);
    return v;
  }

  // An answer with lines [start, end) of `log` and the quote at `quoted`.
  Answer Page(const ima::testing::LogBuilder& log, size_t quoted,
              uint64_t start, size_t end) {
    Answer a;
    a.values = Values(log, quoted);
    a.start = start;
    for (size_t i = start; i < end; ++i) a.lines.push_back(log.lines()[i]);
    return a;
  }

  v1::Evidence Build(Answer a) {
    v1::Evidence ev;
    a.q.extra_data = kNonce;
    a.q.pcr_selection = sel_;
    a.q.pcr_digest = quote::testing::PcrDigest(TPM2_ALG_SHA256, sel_, a.values);
    if (a.wrong_digest) a.q.pcr_digest[0] ^= 1;
    std::string attest = quote::testing::MarshalAttest(a.q);
    ev.mutable_quote()->set_attest(attest);
    ev.mutable_quote()->set_signature(
        (a.wrong_key ? other_ak_ : ak_)->Sign(attest));
    auto pv = convert::ValuesToProto(a.values);
    EXPECT_TRUE(pv.ok()) << pv.status();
    *ev.mutable_quote()->mutable_pcr_values() = *pv;
    v1::ImaEntries* ima = ev.mutable_ima_entries();
    ima->set_start_entry(a.start);
    for (const std::string& l : a.lines) ima->add_lines(l);
    ima->set_more(a.more);
    ima->set_restarted_from_zero(a.restarted);
    ev.set_boot_log(a.boot_log);
    ev.set_boot_id(a.boot_id);
    return ev;
  }

  CycleResult Run(const v1::Evidence& ev,
                  const std::vector<v1::ImaEntries>* pages = nullptr) {
    CycleInput in;
    in.state = &state_;
    in.ak = verifier_.get();
    in.nonce = kNonce;
    in.requested = &sel_;
    in.evidence = &ev;
    in.more_ima_pages = pages;
    in.runtime = runtime_.get();
    in.boot = boot_;
    in.pcr = pcr_;
    in.expected_pcr16 = {{TPM2_ALG_SHA256, pcr16_}};
    absl::StatusOr<CycleResult> r = EvaluateCycle(in);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : CycleResult();
  }

  // First cycle of boot A over the three lines, with the boot log.
  void FirstCycle() {
    Answer a = Page(ima_, 3, 0, 3);
    a.boot_log = boot_log_;
    CycleResult r = Run(Build(a));
    ASSERT_THAT(Ids(r.failures), IsEmpty());
    state_ = r.new_state;
  }

  static quote::testing::SoftwareAk* ak_;
  static quote::testing::SoftwareAk* other_ak_;
  std::unique_ptr<quote::AkVerifier> verifier_;
  tpm::PcrSelection sel_;
  std::string boot_log_;
  tpm::PcrValues base_;
  std::string pcr16_;
  ima::testing::LogBuilder ima_;
  std::unique_ptr<policy::RuntimePolicy> runtime_;
  const policy::BootPolicy* boot_ = nullptr;
  const policy::PcrPolicy* pcr_ = nullptr;
  AgentAttestationState state_;
};

quote::testing::SoftwareAk* CycleTest::ak_ = nullptr;
quote::testing::SoftwareAk* CycleTest::other_ak_ = nullptr;

TEST_F(CycleTest, PassingCycle) {
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = boot_log_;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_THAT(Ids(r.warnings), IsEmpty());
  EXPECT_TRUE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_EQ(r.new_state.ima.next_entry, 3u);
  EXPECT_EQ(r.new_state.ima.pcr10, a.values[TPM2_ALG_SHA256][10]);
  EXPECT_EQ(r.new_state.ima.mode, ima::ExtendMode::kPerBank);
  EXPECT_TRUE(r.new_state.boot_log_checked);
  EXPECT_EQ(r.new_state.boot_id, kBootA);
  EXPECT_EQ(r.new_state.attestation_count, 1u);
  ASSERT_TRUE(r.new_state.clock.has_value());
  EXPECT_EQ(r.new_state.clock->clock, 1000u);
  EXPECT_FALSE(r.boot_log_needed_next);
  EXPECT_EQ(r.ima_next_request_entry, 3u);
  EXPECT_FALSE(r.more_ima_pages_needed);
}

TEST_F(CycleTest, IncrementalSecondCycleConsumesOnlyNewEntries) {
  FirstCycle();
  ima_.ImaNgOf("/bin/c", "c");
  Answer a = Page(ima_, 4, 3, 4);
  a.q.clock = 2000;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_EQ(r.new_state.ima.next_entry, 4u);
  EXPECT_EQ(r.new_state.attestation_count, 2u);
  EXPECT_EQ(r.ima_next_request_entry, 4u);
  EXPECT_FALSE(r.boot_log_needed_next);
}

TEST_F(CycleTest, LogAheadOfQuotePassesAndLeavesTheRest) {
  ima_.ImaNgOf("/bin/c", "c");
  ima_.ImaNgOf("/bin/evil", "not checked yet");
  Answer a = Page(ima_, 3, 0, 5);
  a.boot_log = boot_log_;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_EQ(r.new_state.ima.next_entry, 3u);
  EXPECT_EQ(r.ima_next_request_entry, 3u);
}

TEST_F(CycleTest, BadSignatureEndsTheCycle) {
  Answer a = Page(ima_, 3, 0, 3);
  a.wrong_key = true;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.bad_signature"));
  EXPECT_EQ(r.new_state.attestation_count, 0u);
  EXPECT_FALSE(r.new_state.clock.has_value());
  EXPECT_FALSE(r.passed_at(v1::SEVERITY_ERROR));
}

TEST_F(CycleTest, NonceMismatch) {
  v1::Evidence ev = Build(Page(ima_, 3, 0, 3));
  CycleInput in;
  in.state = &state_;
  in.ak = verifier_.get();
  in.nonce = "another-nonce-0123456789";
  in.requested = &sel_;
  in.evidence = &ev;
  absl::StatusOr<CycleResult> r = EvaluateCycle(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Ids(r->failures), ElementsAre("quote.nonce_mismatch"));
}

TEST_F(CycleTest, PcrDigestMismatch) {
  Answer a = Page(ima_, 3, 0, 3);
  a.wrong_digest = true;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_digest_mismatch"));
}

TEST_F(CycleTest, ImaNotInPolicyDoesNotAdvanceTheState) {
  FirstCycle();
  ima_.ImaNgOf("/bin/evil", "evil");
  ima_.ImaNgOf("/bin/evil2", "evil2");
  Answer a = Page(ima_, 5, 3, 5);
  a.q.clock = 2000;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures),
              ElementsAre("ima.not_in_policy", "ima.not_in_policy"));
  EXPECT_EQ(r.new_state.ima.next_entry, 3u);
  EXPECT_EQ(r.new_state.ima.pcr10, state_.ima.pcr10);
  EXPECT_EQ(r.ima_next_request_entry, 3u);
  // The next cycle replays the same delta and reports it again.
  state_ = r.new_state;
  a.q.clock = 3000;
  r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures),
              ElementsAre("ima.not_in_policy", "ima.not_in_policy"));
}

TEST_F(CycleTest, BootPcrMismatch) {
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = BootLog("2.0");  // not what the quoted PCR 0 says
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), Contains("boot.pcr_mismatch"));
  EXPECT_FALSE(r.new_state.boot_log_checked);
  EXPECT_TRUE(r.boot_log_needed_next);
  EXPECT_EQ(r.new_state.ima.next_entry, 0u);  // a failure: not advanced
}

TEST_F(CycleTest, BootLogMalformed) {
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = "garbage";
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("boot.log_malformed"));
}

TEST_F(CycleTest, BootLogMissingWhenNeeded) {
  policy::BootPolicy accept = policy::BootPolicy::AcceptAll();
  boot_ = &accept;
  CycleResult r = Run(Build(Page(ima_, 3, 0, 3)));
  EXPECT_THAT(Ids(r.failures), ElementsAre("boot.log_missing"));
  EXPECT_TRUE(r.boot_log_needed_next);
  // Without a boot policy a missing log settles the question.
  boot_ = nullptr;
  r = Run(Build(Page(ima_, 3, 0, 3)));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_FALSE(r.boot_log_needed_next);
}

TEST_F(CycleTest, BootPolicyRejectAll) {
  policy::BootPolicy reject = policy::BootPolicy::RejectAll();
  boot_ = &reject;
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = boot_log_;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("boot.policy_reject_all"));
}

TEST_F(CycleTest, InvalidEntryNumber) {
  FirstCycle();
  ima_.ImaNgOf("/bin/c", "c");
  Answer a = Page(ima_, 4, 1, 4);  // 3 was asked
  a.q.clock = 2000;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("ima.invalid_entry_number"));
  EXPECT_EQ(r.new_state.ima.next_entry, 3u);
}

TEST_F(CycleTest, TransportKeyMismatch) {
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = boot_log_;
  a.values[TPM2_ALG_SHA256][16] = std::string(32, '\x01');
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("pcr.transport_key_mismatch"));
}

TEST_F(CycleTest, StaticPcrPolicy) {
  auto good = policy::PcrPolicy::Parse(
      absl::StrCat(R"({"15": [")",
                   absl::BytesToHexString(std::string(32, '\x15')), R"("]})"));
  ASSERT_TRUE(good.ok()) << good.status();
  auto bad = policy::PcrPolicy::Parse(
      absl::StrCat(R"({"15": [")",
                   absl::BytesToHexString(std::string(32, '\x16')), R"("]})"));
  ASSERT_TRUE(bad.ok()) << bad.status();
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = boot_log_;
  pcr_ = &*good;
  EXPECT_THAT(Ids(Run(Build(a)).failures), IsEmpty());
  pcr_ = &*bad;
  EXPECT_THAT(Ids(Run(Build(a)).failures), ElementsAre("pcr.policy_mismatch"));
}

TEST_F(CycleTest, NewBootResetsReplay) {
  FirstCycle();
  // Boot B: a shorter log, the agent restarted from zero (3 > 2 lines).
  ima::testing::LogBuilder boot_b;
  boot_b.Raw(ima_.lines()[0]);
  boot_b.ImaNgOf("/bin/c", "c");
  Answer a = Page(boot_b, 2, 0, 2);
  a.restarted = true;
  a.boot_id = kBootB;
  a.q.reset_count = 3;
  a.q.clock = 50;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_THAT(Ids(r.warnings), ElementsAre("agent.rebooted"));
  EXPECT_TRUE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_EQ(r.new_state.ima.next_entry, 2u);
  EXPECT_EQ(r.new_state.boot_id, kBootB);
  EXPECT_FALSE(r.new_state.boot_log_checked);
  EXPECT_TRUE(r.boot_log_needed_next);
}

TEST_F(CycleTest, NewBootAnsweredMidLogNeedsARestart) {
  FirstCycle();
  ima::testing::LogBuilder boot_b;
  boot_b.Raw(ima_.lines()[0]);
  for (const char* n : {"a", "b", "c", "a"}) {
    boot_b.ImaNgOf(absl::StrCat("/bin/", n), n);
  }
  Answer a = Page(boot_b, 5, 3, 5);  // the log is long enough: no restart
  a.boot_id = kBootB;
  a.q.reset_count = 3;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_TRUE(r.ima_restart_needed);
  EXPECT_FALSE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_EQ(r.new_state.ima.next_entry, 0u);
  EXPECT_EQ(r.ima_next_request_entry, 0u);
  // The next cycle from the persisted state asks from 0 and passes.
  state_ = r.new_state;
  Answer b = Page(boot_b, 5, 0, 5);
  b.boot_id = kBootB;
  b.q.reset_count = 3;
  b.q.clock = 1500;
  b.boot_log = boot_log_;
  r = Run(Build(b));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_TRUE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_EQ(r.new_state.ima.next_entry, 5u);
}

TEST_F(CycleTest, ClockRegression) {
  FirstCycle();
  Answer a = Page(ima_, 3, 3, 3);
  a.q.clock = 999;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.clock_regression"));
  EXPECT_EQ(r.new_state.clock->clock, 1000u);
}

TEST_F(CycleTest, ClockUnsafeIsAWarning) {
  Answer a = Page(ima_, 3, 0, 3);
  a.boot_log = boot_log_;
  a.q.safe = 0;
  CycleResult r = Run(Build(a));
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_THAT(Ids(r.warnings), ElementsAre("quote.clock_unsafe"));
  EXPECT_TRUE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_FALSE(r.passed_at(v1::SEVERITY_WARNING));
  EXPECT_EQ(r.new_state.ima.next_entry, 3u);
}

TEST_F(CycleTest, MorePagesNeeded) {
  Answer a = Page(ima_, 3, 0, 2);
  a.more = true;
  a.boot_log = boot_log_;
  v1::Evidence ev = Build(a);
  CycleResult r = Run(ev);
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_TRUE(r.more_ima_pages_needed);
  EXPECT_FALSE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_EQ(r.ima_next_request_entry, 2u);
  EXPECT_EQ(r.new_state.ima.next_entry, 0u);

  std::vector<v1::ImaEntries> pages(1);
  pages[0].set_start_entry(2);
  pages[0].add_lines(ima_.lines()[2]);
  r = Run(ev, &pages);
  EXPECT_THAT(Ids(r.failures), IsEmpty());
  EXPECT_FALSE(r.more_ima_pages_needed);
  EXPECT_TRUE(r.passed_at(v1::SEVERITY_ERROR));
  EXPECT_EQ(r.new_state.ima.next_entry, 3u);

  pages[0].set_start_entry(1);  // overlaps the first page
  r = Run(ev, &pages);
  EXPECT_THAT(Ids(r.failures), ElementsAre("ima.invalid_entry_number"));
}

TEST_F(CycleTest, MissingPcr10WithRuntimePolicyIsMisuse) {
  sel_ = {{TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16}}};
  Answer a = Page(ima_, 3, 0, 3);
  a.values[TPM2_ALG_SHA256].erase(10);
  v1::Evidence ev = Build(a);
  CycleInput in;
  in.state = &state_;
  in.ak = verifier_.get();
  in.nonce = kNonce;
  in.requested = &sel_;
  in.evidence = &ev;
  in.runtime = runtime_.get();
  EXPECT_EQ(EvaluateCycle(in).status().code(),
            absl::StatusCode::kInvalidArgument);
  in.runtime = nullptr;  // no IMA check: fine
  ASSERT_TRUE(EvaluateCycle(in).ok());
  EXPECT_THAT(Ids(EvaluateCycle(in)->failures), IsEmpty());
}

}  // namespace
}  // namespace candor::attest
