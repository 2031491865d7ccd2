#include "lib/tpm/pcr_values.h"

#include "gtest/gtest.h"

namespace candor::tpm {
namespace {

TEST(PcrValuesTest, BankNamesRoundTrip) {
  for (TPM2_ALG_ID id : {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384,
                         TPM2_ALG_SHA512, TPM2_ALG_SM3_256}) {
    EXPECT_EQ(*ParseBankName(BankName(id)), id);
  }
  EXPECT_EQ(*ParseBankName("SHA256"), TPM2_ALG_SHA256);
  EXPECT_FALSE(ParseBankName("md5").ok());
  EXPECT_EQ(BankName(0x1234), "alg_0x1234");
}

TEST(PcrValuesTest, DigestSizes) {
  EXPECT_EQ(*BankDigestSize(TPM2_ALG_SHA1), 20u);
  EXPECT_EQ(*BankDigestSize(TPM2_ALG_SHA384), 48u);
  EXPECT_EQ(BankDigestSize(TPM2_ALG_RSA).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PcrValuesTest, SelectionRoundTrip) {
  PcrSelection sel = {{TPM2_ALG_SHA256, {0, 1, 7, 10, 16, 23}},
                      {TPM2_ALG_SHA1, {10}}};
  auto tpml = SelectionToTpml(sel);
  ASSERT_TRUE(tpml.ok());
  EXPECT_EQ(tpml->pcrSelections[0].pcrSelect[0], 0x83);
  EXPECT_EQ(tpml->pcrSelections[0].pcrSelect[1], 0x04);
  EXPECT_EQ(tpml->pcrSelections[0].pcrSelect[2], 0x81);
  auto back = SelectionFromTpml(*tpml);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, sel);
}

TEST(PcrValuesTest, BadSelections) {
  EXPECT_FALSE(SelectionToTpml({{TPM2_ALG_SHA256, {24}}}).ok());
  TPML_PCR_SELECTION t{};
  t.count = 1;
  t.pcrSelections[0].hash = TPM2_ALG_SHA256;
  t.pcrSelections[0].sizeofSelect = 5;
  EXPECT_FALSE(SelectionFromTpml(t).ok());
  t.pcrSelections[0].sizeofSelect = 3;
  t.pcrSelections[0].hash = 0x0099;
  EXPECT_FALSE(SelectionFromTpml(t).ok());
}

}  // namespace
}  // namespace candor::tpm
