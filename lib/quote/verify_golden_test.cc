// VerifyQuote on quotes recorded from swtpm with tpm2-tools (testdata/).
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/quote/pcr_list.h"
#include "lib/quote/tpm2_tools_files.h"
#include "lib/quote/verify.h"

namespace candor::quote {
namespace {

using ::testing::ElementsAre;

std::string Golden(const std::string& name) {
  std::ifstream in("lib/quote/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string Line(const std::string& name) {
  std::string s = Golden(name);
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::vector<std::string> Ids(const std::vector<candor::v1::Failure>& fs) {
  std::vector<std::string> ids;
  for (const auto& f : fs) ids.push_back(f.id());
  return ids;
}

// A recorded swtpm quote with everything VerifyQuote needs.
struct GoldenQuote {
  std::unique_ptr<AkVerifier> ak;
  std::string attest, signature, nonce;
  tpm::PcrValues values;
  tpm::PcrSelection requested;

  QuoteInput Input() const {
    QuoteInput in;
    in.attest = attest;
    in.signature = signature;
    in.pcr_values = &values;
    in.requested = &requested;
    in.nonce = nonce;
    return in;
  }
};

GoldenQuote LoadGolden(const std::string& c, const std::string& ak_case = "") {
  GoldenQuote g;
  g.ak =
      *AkVerifier::Create(Golden((ak_case.empty() ? c : ak_case) + ".ak.pub"));
  g.attest = Golden(c + ".msg");
  g.signature = Golden(c + ".sig");
  g.nonce = absl::HexStringToBytes(Line("nonce.hex"));
  g.values =
      ParseTpm2ToolsPcrs(Golden(c + ".pcrs"), PcrsFormat::kSerialized)->values;
  g.requested = *ParsePcrList(Line("selection.txt"));
  return g;
}

QuoteResult Verify(const AkVerifier& ak, const QuoteInput& in) {
  absl::StatusOr<QuoteResult> r = VerifyQuote(ak, in);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : QuoteResult{};
}

constexpr const char* kCases[] = {"rsassa_sha256",     "rsapss_sha256",
                                  "ecdsa_p256_sha256", "rsassa_sha384",
                                  "ecdsa_p384_sha384", "after_reset"};

TEST(VerifyGoldenTest, RecordedQuotesPass) {
  for (const char* c : kCases) {
    SCOPED_TRACE(c);
    GoldenQuote g = LoadGolden(c);
    QuoteResult r = Verify(*g.ak, g.Input());
    EXPECT_TRUE(r.ok());
    EXPECT_THAT(Ids(r.failures), ElementsAre());
    ASSERT_TRUE(r.attest.has_value());
    if (std::string(c) == "after_reset") {
      EXPECT_THAT(Ids(r.warnings), ElementsAre("quote.clock_unsafe"));
    } else {
      EXPECT_THAT(Ids(r.warnings), ElementsAre());
    }
  }
}

TEST(VerifyGoldenTest, ClockAcrossRecordedQuotes) {
  GoldenQuote first = LoadGolden("rsassa_sha256");
  GoldenQuote later = LoadGolden("rsassa_sha256.later", "rsassa_sha256");
  GoldenQuote reset = LoadGolden("after_reset");
  const ClockInfo c1 = Verify(*first.ak, first.Input()).attest->clock_info;
  const ClockInfo c2 = Verify(*later.ak, later.Input()).attest->clock_info;
  QuoteInput in = later.Input();
  in.previous_clock = c1;
  EXPECT_TRUE(Verify(*later.ak, in).ok());
  // Replaying the earlier quote after the later one: the clock went back.
  in = first.Input();
  in.previous_clock = c2;
  EXPECT_THAT(Ids(Verify(*first.ak, in).failures),
              ElementsAre("quote.clock_regression"));
  // After the reset the clock really went back (unorderly), resetCount up.
  in = reset.Input();
  in.previous_clock = c2;
  QuoteResult r = Verify(*reset.ak, in);
  EXPECT_TRUE(r.ok());
  EXPECT_LT(r.attest->clock_info.clock, c2.clock);
  EXPECT_THAT(Ids(r.warnings), ElementsAre("quote.clock_unsafe"));
}

TEST(VerifyGoldenTest, AnyFlippedByteFailsWithOneQuoteFailure) {
  const std::set<std::string> attest_ids = {
      "quote.malformed", "quote.wrong_type", "quote.bad_signature",
      "quote.unsupported_algorithm"};
  for (const char* c :
       {"rsassa_sha256", "rsapss_sha256", "ecdsa_p256_sha256"}) {
    GoldenQuote g = LoadGolden(c);
    for (size_t i = 0; i < g.attest.size(); ++i) {
      GoldenQuote bad = LoadGolden(c);
      bad.attest[i] ^= 0x01;
      QuoteResult r = Verify(*bad.ak, bad.Input());
      ASSERT_EQ(r.failures.size(), 1u) << c << " attest byte " << i;
      EXPECT_EQ(attest_ids.count(r.failures[0].id()), 1u)
          << c << " attest byte " << i << ": " << r.failures[0].id();
      EXPECT_FALSE(r.signature_verified);
    }
    for (size_t i = 0; i < g.signature.size(); ++i) {
      for (uint8_t mask : {0x01, 0x80}) {
        GoldenQuote bad = LoadGolden(c);
        bad.signature[i] ^= mask;
        QuoteResult r = Verify(*bad.ak, bad.Input());
        ASSERT_EQ(r.failures.size(), 1u) << c << " signature byte " << i;
        EXPECT_EQ(attest_ids.count(r.failures[0].id()), 1u)
            << c << " signature byte " << i << ": " << r.failures[0].id();
        EXPECT_FALSE(r.ok());
      }
    }
  }
}

TEST(VerifyGoldenTest, TruncatedAndTrailingInputIsMalformed) {
  GoldenQuote g = LoadGolden("ecdsa_p256_sha256");
  for (size_t n = 0; n < g.attest.size(); ++n) {
    QuoteInput in = g.Input();
    in.attest = absl::string_view(g.attest).substr(0, n);
    EXPECT_THAT(Ids(Verify(*g.ak, in).failures), ElementsAre("quote.malformed"))
        << "attest prefix " << n;
  }
  for (size_t n = 0; n < g.signature.size(); ++n) {
    QuoteInput in = g.Input();
    in.signature = absl::string_view(g.signature).substr(0, n);
    EXPECT_THAT(Ids(Verify(*g.ak, in).failures), ElementsAre("quote.malformed"))
        << "signature prefix " << n;
  }
  std::string attest = g.attest + '\0', sig = g.signature + '\0';
  QuoteInput in = g.Input();
  in.attest = attest;
  EXPECT_THAT(Ids(Verify(*g.ak, in).failures), ElementsAre("quote.malformed"));
  in = g.Input();
  in.signature = sig;
  EXPECT_THAT(Ids(Verify(*g.ak, in).failures), ElementsAre("quote.malformed"));
}

}  // namespace
}  // namespace candor::quote
