#include "lib/tpm/tpm_marshal.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tpm {
namespace {

using ::testing::HasSubstr;

TEST(TpmMarshalTest, IdObjectRoundTripAndStrictness) {
  TPM2B_ID_OBJECT id = {};
  id.size = 3;
  id.credential[0] = 1;
  id.credential[2] = 3;
  std::string bytes = MarshalIdObject(id);
  EXPECT_EQ(absl::BytesToHexString(bytes), "0003010003");
  auto back = ParseIdObject(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->size, 3);
  EXPECT_EQ(back->credential[2], 3);

  auto trailing = ParseIdObject(bytes + "x");
  EXPECT_EQ(trailing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(trailing.status().message()),
              HasSubstr("ends at byte 5 but 6"));
  EXPECT_FALSE(ParseIdObject(bytes.substr(0, 4)).ok());  // truncated
  EXPECT_FALSE(ParseIdObject("").ok());
  EXPECT_FALSE(ParseIdObject(std::string("\xff\xff", 2)).ok());  // too big
}

TEST(TpmMarshalTest, SignatureRoundTrip) {
  TPMT_SIGNATURE sig = {};
  sig.sigAlg = TPM2_ALG_ECDSA;
  sig.signature.ecdsa.hash = TPM2_ALG_SHA256;
  sig.signature.ecdsa.signatureR.size = 2;
  sig.signature.ecdsa.signatureS.size = 1;
  std::string bytes = MarshalSignature(sig);
  EXPECT_EQ(absl::BytesToHexString(bytes), "0018000b00020000000100");
  auto back = ParseSignature(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->signature.ecdsa.signatureR.size, 2);
  EXPECT_FALSE(ParseSignature(bytes.substr(0, bytes.size() - 1)).ok());
}

TEST(TpmMarshalTest, AttestAndSecretParse) {
  TPMS_ATTEST a = {};
  a.magic = TPM2_GENERATED_VALUE;
  a.type = TPM2_ST_ATTEST_QUOTE;
  a.extraData.size = 4;
  std::string bytes = MarshalAttest(a);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.substr(0, 6), std::string("\xff\x54\x43\x47\x80\x18", 6));
  auto back = ParseAttest(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->extraData.size, 4);
  EXPECT_FALSE(ParseAttest(bytes + std::string(1, '\0')).ok());

  TPM2B_ENCRYPTED_SECRET s = {};
  s.size = 1;
  EXPECT_TRUE(ParseEncryptedSecret(MarshalEncryptedSecret(s)).ok());
  TPM2B_PRIVATE p = {};
  p.size = 2;
  EXPECT_EQ(ParsePrivate(MarshalPrivate(p))->size, 2);
}

}  // namespace
}  // namespace candor::tpm
