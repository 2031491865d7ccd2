// VerifyQuote on quotes signed by a software AK (testing/quote_builder.h):
// every field can be made wrong and still be correctly signed, so each check
// after the signature is reachable, alone and together.
#include "lib/quote/verify.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/quote/pcr_list.h"
#include "lib/quote/testing/quote_builder.h"

namespace candor::quote {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::QuoteFields;
using testing::SoftwareAk;

std::vector<std::string> Ids(const std::vector<candor::v1::Failure>& fs) {
  std::vector<std::string> ids;
  for (const auto& f : fs) ids.push_back(f.id());
  return ids;
}

QuoteResult Verify(const AkVerifier& ak, const QuoteInput& in) {
  absl::StatusOr<QuoteResult> r = VerifyQuote(ak, in);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : QuoteResult{};
}

// Quotes signed by a software AK: every field can be made wrong and still be
// correctly signed, so the checks after the signature are reachable.
class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new SoftwareAk(*SoftwareAk::Generate(
        SoftwareAk::kRsa2048, TPM2_ALG_RSASSA, TPM2_ALG_SHA256));
  }
  static void TearDownTestSuite() { delete rsa_; }

  void SetUp() override {
    ak_ = *AkVerifier::Create(rsa_->tpm2b_public());
    requested_ = *ParsePcrList("sha256:0,1,2,10+sha1:10");
    values_ = testing::MakePcrValues(requested_);
    nonce_ = "0123456789abcdef0123";
    fields_.extra_data = nonce_;
    fields_.pcr_selection = requested_;
  }

  // Signs fields_ (with the digest of values_ unless set) and verifies.
  QuoteResult Run(bool keep_digest = false) {
    if (!keep_digest) {
      fields_.pcr_digest =
          testing::PcrDigest(TPM2_ALG_SHA256, fields_.pcr_selection, values_);
    }
    attest_ = testing::MarshalAttest(fields_);
    signature_ = rsa_->Sign(attest_);
    QuoteInput in;
    in.attest = attest_;
    in.signature = signature_;
    in.pcr_values = &values_;
    in.requested = &requested_;
    in.nonce = nonce_;
    in.previous_clock = previous_;
    return Verify(*ak_, in);
  }

  static SoftwareAk* rsa_;
  std::unique_ptr<AkVerifier> ak_;
  tpm::PcrSelection requested_;
  tpm::PcrValues values_;
  std::string nonce_, attest_, signature_;
  QuoteFields fields_;
  std::optional<ClockInfo> previous_;
};
SoftwareAk* VerifyTest::rsa_ = nullptr;

TEST_F(VerifyTest, ValidQuotePasses) {
  QuoteResult r = Run();
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.signature_verified);
  EXPECT_EQ(r.sig_alg, TPM2_ALG_RSASSA);
  EXPECT_EQ(r.hash_alg, TPM2_ALG_SHA256);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.attest->pcr_selection, requested_);
}

TEST_F(VerifyTest, WrongNonce) {
  nonce_ = "0123456789abcdef0124";
  QuoteResult r = Run();
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.nonce_mismatch"));
  EXPECT_EQ(r.failures[0].context().at("got"),
            absl::BytesToHexString(fields_.extra_data));
  nonce_ = "0123456789abcdef012";  // a prefix of extraData
  EXPECT_THAT(Ids(Run().failures), ElementsAre("quote.nonce_mismatch"));
}

TEST_F(VerifyTest, WrongPcrValue) {
  Run();  // digest over the original values
  values_[TPM2_ALG_SHA256][10][0] ^= 1;
  QuoteResult r = Run(/*keep_digest=*/true);
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_digest_mismatch"));
  EXPECT_THAT(r.failures[0].message(), HasSubstr("sha256:0,1,2,10+sha1:10"));
}

TEST_F(VerifyTest, MissingExtraAndWrongBankValues) {
  fields_.pcr_digest = "ignored";
  tpm::PcrValues all = values_;
  values_[TPM2_ALG_SHA256].erase(10);
  QuoteResult r = Run(true);
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_selection_mismatch"));
  EXPECT_EQ(r.failures[0].context().at("missing"), "sha256:10");

  values_ = all;
  values_[TPM2_ALG_SHA256][11] = std::string(32, 'x');
  r = Run(true);
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_selection_mismatch"));
  EXPECT_EQ(r.failures[0].context().at("extra"), "sha256:11");

  // The sha1 value under the sha384 bank.
  values_ = all;
  values_[TPM2_ALG_SHA384][10] = values_[TPM2_ALG_SHA1][10];
  values_.erase(TPM2_ALG_SHA1);
  r = Run(true);
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_selection_mismatch"));
  EXPECT_EQ(r.failures[0].context().at("missing"), "sha1:10");
  EXPECT_EQ(r.failures[0].context().at("extra"), "sha384:10");
}

TEST_F(VerifyTest, ValueOfTheWrongSizeIsMalformed) {
  values_[TPM2_ALG_SHA1][10].pop_back();
  QuoteResult r = Run();
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.malformed"));
  EXPECT_THAT(r.failures[0].message(), HasSubstr("sha1:10 is 19 bytes"));
}

TEST_F(VerifyTest, QuotedSelectionDiffersFromRequested) {
  // The agent quoted other PCRs than asked (and sent their values).
  fields_.pcr_selection = *ParsePcrList("sha256:0,1,2+sha1:10");
  values_ = testing::MakePcrValues(fields_.pcr_selection);
  QuoteResult r = Run();
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_selection_mismatch"));
  EXPECT_EQ(r.failures[0].context().at("got"), "sha256:0,1,2+sha1:10");
  // Wrong bank: sha1 instead of sha256.
  fields_.pcr_selection = *ParsePcrList("sha1:0,1,2,10");
  values_ = testing::MakePcrValues(fields_.pcr_selection);
  EXPECT_THAT(Ids(Run().failures), ElementsAre("quote.pcr_selection_mismatch"));
  // Same banks in another order.
  fields_.pcr_selection = *ParsePcrList("sha1:10+sha256:0,1,2,10");
  values_ = testing::MakePcrValues(fields_.pcr_selection);
  EXPECT_THAT(Ids(Run().failures), ElementsAre("quote.pcr_selection_mismatch"));
}

TEST_F(VerifyTest, BanksWithoutPcrsAreIgnored) {
  requested_.push_back({TPM2_ALG_SHA384, {}});
  fields_.pcr_selection.insert(fields_.pcr_selection.begin(),
                               {TPM2_ALG_SHA512, {}});
  values_[TPM2_ALG_SHA512];  // an empty bank in the values too
  EXPECT_TRUE(Run().ok());
}

TEST_F(VerifyTest, DigestUsesTheSigningHash) {
  auto soft = SoftwareAk::Generate(SoftwareAk::kEccP256, TPM2_ALG_ECDSA,
                                   TPM2_ALG_SHA384);
  ASSERT_TRUE(soft.ok());
  auto ak = AkVerifier::Create(soft->tpm2b_public());
  ASSERT_TRUE(ak.ok()) << ak.status();
  QuoteInput in;
  in.pcr_values = &values_;
  in.requested = &requested_;
  in.nonce = nonce_;
  for (TPM2_ALG_ID digest_hash : {TPM2_ALG_SHA384, TPM2_ALG_SHA256}) {
    fields_.pcr_digest =
        testing::PcrDigest(digest_hash, fields_.pcr_selection, values_);
    std::string attest = testing::MarshalAttest(fields_);
    std::string sig = soft->Sign(attest);
    in.attest = attest;
    in.signature = sig;
    QuoteResult r = Verify(**ak, in);
    if (digest_hash == TPM2_ALG_SHA384) {
      EXPECT_TRUE(r.ok()) << ::testing::PrintToString(Ids(r.failures));
    } else {
      EXPECT_THAT(Ids(r.failures), ElementsAre("quote.pcr_digest_mismatch"));
    }
  }
}

TEST_F(VerifyTest, SignedButNotAQuote) {
  fields_.type = TPM2_ST_ATTEST_CERTIFY;
  EXPECT_THAT(Ids(Run().failures), ElementsAre("quote.wrong_type"));
  fields_.type = TPM2_ST_ATTEST_QUOTE;
  fields_.magic = 0x12345678;
  EXPECT_THAT(Ids(Run().failures), ElementsAre("quote.malformed"));
}

TEST_F(VerifyTest, Sha1SignatureIsUnsupported) {
  auto soft = SoftwareAk::Generate(SoftwareAk::kRsa2048, TPM2_ALG_RSASSA,
                                   TPM2_ALG_SHA1);
  ASSERT_TRUE(soft.ok());
  auto ak = AkVerifier::Create(soft->tpm2b_public());
  ASSERT_TRUE(ak.ok());
  fields_.pcr_digest =
      testing::PcrDigest(TPM2_ALG_SHA1, fields_.pcr_selection, values_);
  std::string attest = testing::MarshalAttest(fields_);
  std::string sig = soft->Sign(attest);
  QuoteInput in;
  in.attest = attest;
  in.signature = sig;
  in.pcr_values = &values_;
  in.requested = &requested_;
  in.nonce = nonce_;
  QuoteResult r = Verify(**ak, in);
  EXPECT_THAT(Ids(r.failures), ElementsAre("quote.unsupported_algorithm"));
  EXPECT_FALSE(r.signature_verified);
}

TEST_F(VerifyTest, ClockRules) {
  struct Case {
    ClockInfo previous;
    uint64_t clock;
    uint32_t reset, restart;
    bool regression;
  } cases[] = {
      {{1000, 2, 0, true}, 1001, 2, 0, false},  // time passes
      {{1000, 2, 0, true}, 1000, 2, 0, true},   // clock stood still
      {{1000, 2, 0, true}, 999, 2, 0, true},    // clock went back
      {{1000, 2, 0, true}, 10, 3, 0, false},    // reset: may lag (unorderly)
      {{1000, 2, 1, true}, 10, 3, 0, false},    // reset clears restartCount
      {{1000, 2, 0, true}, 10, 2, 1, false},    // restart
      {{1000, 2, 1, true}, 5000, 2, 0, true},   // restartCount went back
      {{1000, 2, 0, true}, 5000, 1, 9, true},   // resetCount went back
      {{1000, 2, 0, true}, 5000, 1, 0, true},
  };
  for (const Case& c : cases) {
    previous_ = c.previous;
    fields_.clock = c.clock;
    fields_.reset_count = c.reset;
    fields_.restart_count = c.restart;
    QuoteResult r = Run();
    if (c.regression) {
      EXPECT_THAT(Ids(r.failures), ElementsAre("quote.clock_regression"))
          << c.clock << "/" << c.reset << "/" << c.restart;
    } else {
      EXPECT_TRUE(r.ok()) << c.clock << "/" << c.reset << "/" << c.restart
                          << ": " << ::testing::PrintToString(Ids(r.failures));
    }
    EXPECT_EQ(
        CheckClock(c.previous, {c.clock, c.reset, c.restart, true}).has_value(),
        c.regression);
  }
}

TEST_F(VerifyTest, UnsafeClockIsAWarningOnly) {
  fields_.safe = 0;
  QuoteResult r = Run();
  EXPECT_TRUE(r.ok());
  EXPECT_THAT(Ids(r.warnings), ElementsAre("quote.clock_unsafe"));
  EXPECT_EQ(r.warnings[0].severity(), candor::v1::SEVERITY_WARNING);
}

TEST_F(VerifyTest, EveryProblemOfAnAuthenticQuoteIsReported) {
  previous_ = ClockInfo{5000, 2, 0, true};
  nonce_ = "another nonce";
  fields_.safe = 0;
  Run();
  values_[TPM2_ALG_SHA1][10][3] ^= 1;
  QuoteResult r = Run(true);
  EXPECT_THAT(Ids(r.failures),
              ElementsAre("quote.nonce_mismatch", "quote.pcr_digest_mismatch",
                          "quote.clock_regression"));
  EXPECT_THAT(Ids(r.warnings), ElementsAre("quote.clock_unsafe"));
  for (const auto& f : r.failures) {
    EXPECT_EQ(f.severity(), candor::v1::SEVERITY_CRITICAL) << f.id();
  }
}

TEST_F(VerifyTest, MisuseIsAnError) {
  Run();
  QuoteInput in;
  in.attest = attest_;
  in.signature = signature_;
  in.nonce = nonce_;
  EXPECT_EQ(VerifyQuote(*ak_, in).status().code(),
            absl::StatusCode::kInvalidArgument);
  in.pcr_values = &values_;
  in.requested = &requested_;
  ASSERT_TRUE(VerifyQuote(*ak_, in).ok());
  in.nonce = "";
  EXPECT_FALSE(VerifyQuote(*ak_, in).ok());
  in.nonce = nonce_;
  for (const tpm::PcrSelection& bad : std::vector<tpm::PcrSelection>{
           {},
           {{TPM2_ALG_SHA256, {}}},
           {{TPM2_ALG_RSA, {1}}},
           {{TPM2_ALG_SHA256, {2, 1}}},
           {{TPM2_ALG_SHA256, {1, 1}}},
           {{TPM2_ALG_SHA256, {24}}},
           {{TPM2_ALG_SHA256, {1}}, {TPM2_ALG_SHA256, {2}}}}) {
    in.requested = &bad;
    EXPECT_EQ(VerifyQuote(*ak_, in).status().code(),
              absl::StatusCode::kInvalidArgument)
        << FormatPcrList(bad);
  }
  // Absent evidence is a finding, not misuse.
  in.requested = &requested_;
  in.attest = "";
  EXPECT_THAT(Ids(VerifyQuote(*ak_, in)->failures),
              ElementsAre("quote.malformed"));
}

}  // namespace
}  // namespace candor::quote
