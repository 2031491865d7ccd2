// EsysTpm::Quote on a real swtpm, checked independently: by tpm2_checkquote
// (tpm2-tools 5.4) with the AK as PEM, the attest, the signature, the PCR
// values in tpm2-tools' pcrs format and the nonce; and by the C++ check in
// lib/tpm/testing/quote_check (signature, nonce, selection, pcrDigest).
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "lib/tpm/testing/quote_check.h"
#include "tests/harness/resources.h"
#include "tests/harness/temp_dir.h"
#include "tests/integration/tpm/tpm_fixture.h"

namespace candor::tpm::testing {
namespace {

using ::testing::HasSubstr;

class QuoteTest : public SwtpmTest {
 protected:
  // Writes the quote's parts and runs tpm2_checkquote on them.
  absl::Status CheckWithTools(const AkBlobs& ak, const TpmQuote& quote,
                              const PcrSelection& sel,
                              const std::string& nonce) {
    auto pem = PublicAreaPem(ak.public_area);
    if (!pem.ok()) return pem.status();
    auto pcrs = Tpm2ToolsPcrsFile(sel, quote.pcrs);
    if (!pcrs.ok()) return pcrs.status();
    for (auto [file, data] :
         {std::pair{"ak.pem", *pem}, std::pair{"q.msg", quote.attest},
          std::pair{"q.sig", quote.signature}, std::pair{"q.pcrs", *pcrs}}) {
      absl::Status s = candor::testing::WriteFile(Path(file), data);
      if (!s.ok()) return s;
    }
    return RunTool(
        "tpm2_checkquote",
        {"-u", Path("ak.pem"), "-m", Path("q.msg"), "-s", Path("q.sig"), "-f",
         Path("q.pcrs"), "-g", "sha256", "-q", absl::BytesToHexString(nonce)});
  }
};

TEST_F(QuoteTest, Tpm2CheckquoteAcceptsRsaAndEccQuotes) {
  CANDOR_REQUIRE_RESOURCE(RequireTool("tpm2_checkquote"));
  ASSERT_TRUE(tpm_->ExtendPcr(10, {{TPM2_ALG_SHA256, crypto::Sha256("ima")},
                                   {TPM2_ALG_SHA1, crypto::Sha1("ima")}})
                  .ok());
  const PcrSelection sel = {
      {TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 10, 16}}};
  const std::string nonce = crypto::Sha1("nonce");  // 20 bytes, as Keylime
  for (EkType ek : {EkType::kRsa, EkType::kEcc}) {
    for (AkType type : {AkType::kRsa2048, AkType::kEccP256}) {
      SCOPED_TRACE(absl::StrCat(EkTypeName(ek), " EK, AK type ",
                                static_cast<int>(type)));
      AkBlobs ak = Ak(type, ek);
      ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, ek).ok());
      auto quote = tpm_->Quote(sel, nonce);
      ASSERT_TRUE(quote.ok()) << quote.status();
      EXPECT_EQ(quote->attest.substr(0, 4),
                "\xff"
                "TCG");  // TPMS_ATTEST
      auto attest = CheckQuote(ak.public_area, *quote, nonce, sel);
      EXPECT_TRUE(attest.ok()) << attest.status();
      EXPECT_TRUE(CheckWithTools(ak, *quote, sel, nonce).ok());
      // The tool does check: a wrong nonce and a wrong PCR value fail.
      EXPECT_FALSE(CheckWithTools(ak, *quote, sel, crypto::Sha1("x")).ok());
      TpmQuote bad = *quote;
      bad.pcrs[TPM2_ALG_SHA256][10][0] ^= 1;
      EXPECT_FALSE(CheckWithTools(ak, bad, sel, nonce).ok());
    }
  }
}

TEST_F(QuoteTest, QuoteOverTwoBanksAndMoreThanEightPcrs) {
  CANDOR_REQUIRE_RESOURCE(RequireTool("tpm2_checkquote"));
  PcrSelection sel = {{TPM2_ALG_SHA1, {}}, {TPM2_ALG_SHA256, {}}};
  for (uint32_t pcr = 0; pcr < 24; ++pcr) {
    sel[0].pcrs.push_back(pcr);
    sel[1].pcrs.push_back(pcr);
  }
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kRsa);
  ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kRsa).ok());
  auto quote = tpm_->Quote(sel, "n");
  ASSERT_TRUE(quote.ok()) << quote.status();
  EXPECT_EQ(quote->pcrs.at(TPM2_ALG_SHA1).size(), 24u);
  EXPECT_EQ(quote->pcrs.at(TPM2_ALG_SHA256).size(), 24u);
  auto attest = CheckQuote(ak.public_area, *quote, "n", sel);
  EXPECT_TRUE(attest.ok()) << attest.status();
  EXPECT_TRUE(CheckWithTools(ak, *quote, sel, "n").ok());
}

TEST_F(QuoteTest, BadArguments) {
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kRsa);
  ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kRsa).ok());
  const PcrSelection sel = {{TPM2_ALG_SHA256, {0}}};
  EXPECT_EQ(tpm_->Quote(sel, std::string(65, 'n')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(tpm_->Quote(sel, std::string(64, 'n')).ok());
  EXPECT_EQ(tpm_->Quote({{TPM2_ALG_SHA256, {3, 1}}}, "n").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto unallocated = tpm_->Quote({{TPM2_ALG_SHA384, {0}}}, "n");
  EXPECT_EQ(unallocated.status().code(), absl::StatusCode::kFailedPrecondition)
      << unallocated.status();
  EXPECT_THAT(std::string(unallocated.status().message()),
              HasSubstr("sha384:0"));
}

}  // namespace
}  // namespace candor::tpm::testing
