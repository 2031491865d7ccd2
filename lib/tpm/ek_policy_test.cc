#include "lib/tpm/ek_policy.h"

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/tpm/ek_template.h"
#include "lib/tpm/public_key.h"

namespace candor::tpm {
namespace {

std::string Hex(const absl::StatusOr<std::string>& s) {
  return s.ok() ? absl::BytesToHexString(*s)
                : std::string(s.status().message());
}

TPM2B_PUBLIC Golden(const std::string& file) {
  std::ifstream in("lib/tpm/testdata/" + file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto pub = ParseTpm2bPublic(ss.str());
  EXPECT_TRUE(pub.ok()) << file << ": " << pub.status();
  return pub.ok() ? *pub : TPM2B_PUBLIC{};
}

TEST(EkPolicyTest, PolicyDigestsAreTheProfilesConstants) {
  EXPECT_EQ(Hex(EkPolicyA(TPM2_ALG_SHA256)),
            "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
  EXPECT_EQ(Hex(EkPolicyA(TPM2_ALG_SHA384)),
            "8bbf2266537c171cb56e403c4dc1d4b64f432611dc386e6f532050c3278c930e"
            "143e8bb1133824ccb431053871c6db53");
  // PolicyB = PolicyOR(A, C): ties the PolicyC constants to the profile's B.
  EXPECT_EQ(Hex(EkPolicyB(TPM2_ALG_SHA256)),
            "ca3d0a99a2b93906f7a3342414efcfb3a385d44cd1fd459089d19b5071c0b7a0");
  EXPECT_EQ(Hex(EkPolicyB(TPM2_ALG_SHA384)),
            "b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419ca"
            "cb47ba09699646150f9fc000f3f80e12");
  EXPECT_EQ(Hex(EkPolicyB(TPM2_ALG_SHA512)),
            "b8221ca69e8550a4914de3faa6a18c072cc01208073a928d5d66d59ef79e49a4"
            "29c41a6b269571d57edb25fbdb1838425608b413cd616a5f6db5b6071af99bea");
  EXPECT_FALSE(EkPolicyA(TPM2_ALG_SHA1).ok());
  EXPECT_FALSE(EkPolicyC(TPM2_ALG_SM3_256).ok());
}

TEST(EkPolicyTest, SwtpmEksNeedPolicySecretAndForP384AlsoPolicyOr) {
  auto rsa = EkAuthFor(Golden("ek_rsa.pub").publicArea);
  ASSERT_TRUE(rsa.ok()) << rsa.status();
  EXPECT_EQ(rsa->kind, EkAuth::Kind::kPolicySecret);
  EXPECT_EQ(rsa->session_hash, TPM2_ALG_SHA256);
  auto ecc = EkAuthFor(Golden("ek_ecc384.pub").publicArea);
  ASSERT_TRUE(ecc.ok()) << ecc.status();
  EXPECT_EQ(ecc->kind, EkAuth::Kind::kPolicySecretThenOr);
  EXPECT_EQ(ecc->session_hash, TPM2_ALG_SHA384);
  ASSERT_EQ(ecc->or_branches.size(), 2u);
  EXPECT_EQ(ecc->or_branches[0], *EkPolicyA(TPM2_ALG_SHA384));
}

TEST(EkPolicyTest, UnknownPolicyFallsBackToPasswordOnlyWithUserWithAuth) {
  TPMT_PUBLIC pub = EkTemplateRsaL1().publicArea;
  pub.authPolicy.size = 32;
  pub.authPolicy.buffer[0] ^= 1;
  auto auth = EkAuthFor(pub);
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kFailedPrecondition);
  pub.objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
  auth = EkAuthFor(pub);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->kind, EkAuth::Kind::kPassword);
}

// Everything but the key itself (unique) equals swtpm's EKs.
void ExpectSameTemplate(const TPMT_PUBLIC& tmpl, TPMT_PUBLIC created) {
  created.unique = tmpl.unique;
  std::string a = MarshalTpm2bPublic(TPM2B_PUBLIC{0, tmpl});
  std::string b = MarshalTpm2bPublic(TPM2B_PUBLIC{0, created});
  EXPECT_EQ(absl::BytesToHexString(a), absl::BytesToHexString(b));
}

TEST(EkTemplateTest, TemplatesMatchSwtpmsEks) {
  ExpectSameTemplate(EkTemplateRsaL1().publicArea,
                     Golden("ek_rsa.pub").publicArea);
  ExpectSameTemplate(EkTemplateEccP384H3().publicArea,
                     Golden("ek_ecc384.pub").publicArea);
  const TPMT_PUBLIC l2 = EkTemplateEccP256L2().publicArea;
  EXPECT_EQ(l2.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
  EXPECT_EQ(l2.unique.ecc.x.size, 32);
  EXPECT_EQ(EkAuthFor(l2)->kind, EkAuth::Kind::kPolicySecret);
}

}  // namespace
}  // namespace candor::tpm
