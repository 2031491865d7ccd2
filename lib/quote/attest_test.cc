#include "lib/quote/attest.h"

#include <tss2/tss2_mu.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/quote/testing/quote_builder.h"

namespace candor::quote {
namespace {

using ::testing::HasSubstr;
using testing::QuoteFields;

std::string Golden(const std::string& name) {
  std::ifstream in("lib/quote/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kCases[] = {
    "rsassa_sha256",     "rsapss_sha256", "ecdsa_p256_sha256",  "rsassa_sha384",
    "ecdsa_p384_sha384", "after_reset",   "rsassa_sha256.later"};

std::string Nonce() {
  std::string hex = Golden("nonce.hex");
  while (!hex.empty() && hex.back() == '\n') hex.pop_back();
  return absl::HexStringToBytes(hex);
}

TEST(ParseQuoteAttestTest, GoldenQuotesFromSwtpm) {
  const tpm::PcrSelection want = {{TPM2_ALG_SHA256, {0, 1, 2, 3, 10, 16}},
                                  {TPM2_ALG_SHA1, {10, 16}}};
  for (const char* c : kCases) {
    SCOPED_TRACE(c);
    std::string msg = Golden(absl::StrCat(c, ".msg"));
    ASSERT_FALSE(msg.empty());
    auto q = ParseQuoteAttest(msg);
    ASSERT_TRUE(q.ok()) << q.status();
    EXPECT_EQ(q->extra_data, Nonce());
    EXPECT_EQ(q->pcr_selection, want);
    EXPECT_EQ(q->qualified_signer.size(), 34u);  // 000b || SHA-256
    EXPECT_EQ(q->firmware_version, 0x2019102300163636u);
    const bool sha384 = absl::StrContains(c, "sha384");
    EXPECT_EQ(q->pcr_digest.size(), sha384 ? 48u : 32u);
  }
  auto first = *ParseQuoteAttest(Golden("rsassa_sha256.msg"));
  auto later = *ParseQuoteAttest(Golden("rsassa_sha256.later.msg"));
  auto reset = *ParseQuoteAttest(Golden("after_reset.msg"));
  EXPECT_TRUE(first.clock_info.safe);
  EXPECT_LT(first.clock_info.clock, later.clock_info.clock);
  EXPECT_EQ(first.clock_info.reset_count, later.clock_info.reset_count);
  EXPECT_EQ(reset.clock_info.reset_count, first.clock_info.reset_count + 1);
  EXPECT_EQ(reset.clock_info.restart_count, 0u);
  EXPECT_FALSE(reset.clock_info.safe);
}

TEST(ParseQuoteAttestTest, EveryPrefixIsMalformed) {
  for (const char* c : kCases) {
    std::string msg = Golden(absl::StrCat(c, ".msg"));
    for (size_t n = 0; n < msg.size(); ++n) {
      auto q = ParseQuoteAttest(msg.substr(0, n));
      ASSERT_FALSE(q.ok()) << c << " prefix " << n;
      EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument)
          << c << " prefix " << n << ": " << q.status();
      EXPECT_EQ(QuoteFailureId(q.status()), "quote.malformed");
    }
  }
  EXPECT_THAT(ParseQuoteAttest("").status().message(), HasSubstr("absent"));
}

TEST(ParseQuoteAttestTest, TrailingBytesAreMalformed) {
  std::string msg = Golden("rsassa_sha256.msg");
  for (const std::string& extra : {std::string(1, '\0'), std::string("xyz")}) {
    auto q = ParseQuoteAttest(msg + extra);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(QuoteFailureId(q.status()), "quote.malformed");
    EXPECT_THAT(q.status().message(), HasSubstr("trailing"));
    EXPECT_THAT(q.status().message(), HasSubstr(absl::StrCat(msg.size())));
  }
}

TEST(ParseQuoteAttestTest, MagicAndType) {
  std::string msg = Golden("rsassa_sha256.msg");
  std::string bad_magic = msg;
  bad_magic[3] ^= 1;
  auto q = ParseQuoteAttest(bad_magic);
  EXPECT_EQ(QuoteFailureId(q.status()), "quote.malformed");
  EXPECT_THAT(q.status().message(), HasSubstr("magic"));

  // A certify structure (TPM_ST_ATTEST_CERTIFY) signed by the AK is no quote,
  // whatever follows the type.
  std::string certify = msg;
  certify[5] = '\x17';
  q = ParseQuoteAttest(certify);
  EXPECT_EQ(q.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QuoteFailureId(q.status()), "quote.wrong_type");
  EXPECT_EQ(QuoteFailureId(ParseQuoteAttest(certify.substr(0, 6)).status()),
            "quote.wrong_type");
  EXPECT_EQ(QuoteFailureId(ParseQuoteAttest(certify.substr(0, 5)).status()),
            "quote.malformed");
}

QuoteFields Valid() {
  QuoteFields f;
  f.extra_data = "nonce-nonce-nonce-20";
  f.pcr_selection = {{TPM2_ALG_SHA256, {0, 10}}};
  f.pcr_digest = std::string(32, 'd');
  return f;
}

TEST(ParseQuoteAttestTest, BuiltQuoteRoundTrips) {
  QuoteFields f = Valid();
  f.clock = 123456789;
  f.reset_count = 7;
  f.restart_count = 3;
  f.safe = 0;
  auto q = ParseQuoteAttest(testing::MarshalAttest(f));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->clock_info, (ClockInfo{123456789, 7, 3, false}));
  EXPECT_EQ(q->qualified_signer, f.qualified_signer);
  EXPECT_EQ(q->extra_data, f.extra_data);
  EXPECT_EQ(q->pcr_selection, f.pcr_selection);
  EXPECT_EQ(q->pcr_digest, f.pcr_digest);
}

TEST(ParseQuoteAttestTest, SafeMustBeYesOrNo) {
  QuoteFields f = Valid();
  f.safe = 2;
  auto q = ParseQuoteAttest(testing::MarshalAttest(f));
  EXPECT_EQ(QuoteFailureId(q.status()), "quote.malformed");
  EXPECT_THAT(q.status().message(), HasSubstr("safe"));
}

TEST(ParseQuoteAttestTest, SelectionFieldsAreChecked) {
  std::string msg = testing::MarshalAttest(Valid());
  // Offsets: magic 4, type 2, signer 2+34, extra 2+20, clock 17, fw 8.
  const size_t sel = 4 + 2 + 36 + 22 + 17 + 8;
  ASSERT_EQ(msg.substr(sel, 4), std::string("\0\0\0\1", 4));
  // An unknown bank: the verifier cannot accept what it does not know.
  std::string unknown = msg;
  unknown[sel + 4] = '\x00';
  unknown[sel + 5] = '\x99';
  auto q = ParseQuoteAttest(unknown);
  EXPECT_EQ(QuoteFailureId(q.status()), "quote.unsupported_algorithm")
      << q.status();
  // sizeofSelect beyond the 4 bytes a PCR bitmap may have.
  std::string big = msg;
  big[sel + 6] = 5;
  EXPECT_EQ(QuoteFailureId(ParseQuoteAttest(big).status()), "quote.malformed");
  // More banks than TPML_PCR_SELECTION holds.
  std::string many = msg;
  many[sel + 3] = 17;
  EXPECT_EQ(QuoteFailureId(ParseQuoteAttest(many).status()), "quote.malformed");
}

TEST(ParseSignatureTest, GoldenSignatures) {
  struct {
    const char* name;
    TPM2_ALG_ID alg;
    TPM2_ALG_ID hash;
  } cases[] = {{"rsassa_sha256", TPM2_ALG_RSASSA, TPM2_ALG_SHA256},
               {"rsapss_sha256", TPM2_ALG_RSAPSS, TPM2_ALG_SHA256},
               {"ecdsa_p256_sha256", TPM2_ALG_ECDSA, TPM2_ALG_SHA256},
               {"rsassa_sha384", TPM2_ALG_RSASSA, TPM2_ALG_SHA384},
               {"ecdsa_p384_sha384", TPM2_ALG_ECDSA, TPM2_ALG_SHA384}};
  for (const auto& c : cases) {
    auto sig = ParseSignature(Golden(absl::StrCat(c.name, ".sig")));
    ASSERT_TRUE(sig.ok()) << c.name << ": " << sig.status();
    EXPECT_EQ(sig->sigAlg, c.alg) << c.name;
    EXPECT_EQ(sig->signature.any.hashAlg, c.hash) << c.name;
  }
}

TEST(ParseSignatureTest, EveryPrefixAndTrailingBytesAreMalformed) {
  for (const char* c : {"rsassa_sha256", "ecdsa_p256_sha256"}) {
    std::string sig = Golden(absl::StrCat(c, ".sig"));
    for (size_t n = 0; n < sig.size(); ++n) {
      auto s = ParseSignature(sig.substr(0, n));
      ASSERT_FALSE(s.ok()) << c << " prefix " << n;
      EXPECT_EQ(QuoteFailureId(s.status()), "quote.malformed");
    }
    auto s = ParseSignature(sig + "!");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.status().message(), HasSubstr("trailing"));
  }
}

TEST(ParseSignatureTest, UnknownSigAlgIsMalformedNullParses) {
  auto s = ParseSignature(std::string("\x12\x34\x00\x0b", 4));
  EXPECT_EQ(QuoteFailureId(s.status()), "quote.malformed");
  EXPECT_THAT(s.status().message(), HasSubstr("0x1234"));
  // An unsigned "signature" is well-formed; the verifier refuses it.
  auto null = ParseSignature(std::string("\x00\x10", 2));
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_EQ(null->sigAlg, TPM2_ALG_NULL);
}

}  // namespace
}  // namespace candor::quote
