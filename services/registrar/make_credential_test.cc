// Software MakeCredential: round trips through an independent software
// ActivateCredential for every EK shape (RSA-2048 L-1, ECC P-256 L-2, swtpm's
// P-384 with SHA-384/AES-256), the marshalled structures' sizes, tampering,
// and refusal of EKs that cannot protect a credential. The golden check
// against a real TPM is tests/integration/registrar.
#include "services/registrar/make_credential.h"

#include <tss2/tss2_mu.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/software_credential.h"
#include "services/registrar/testing/tpm_keys.h"

namespace candor::registrar {
namespace {

using testing::AkKind;
using testing::EkKind;
using ::testing::HasSubstr;
using testing::MakeAk;
using testing::MakeEk;
using tpm::SoftwareActivateCredential;
using testing::SoftwareKey;

const std::string kCredential = "0123456789abcdef0123456789abcdef";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t Tpm2bSize(const std::string& b) {
  return (static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]);
}

struct Shape {
  EkKind ek;
  size_t digest;        // EK nameAlg digest size
  size_t secret_bytes;  // TPM2B_ENCRYPTED_SECRET contents
};

class RoundTripTest : public ::testing::TestWithParam<Shape> {};

TEST_P(RoundTripTest, SoftwareActivationRecoversTheCredential) {
  const Shape& s = GetParam();
  auto ek = MakeEk(s.ek);
  ASSERT_TRUE(ek.ok()) << ek.status();
  auto ak = MakeAk(AkKind::kEccP256);
  ASSERT_TRUE(ak.ok()) << ak.status();
  auto out = MakeCredential(ek->pub.publicArea, ak->name, kCredential);
  ASSERT_TRUE(out.ok()) << out.status();

  // Sizes: TPM2B_ID_OBJECT = size || TPM2B_DIGEST(hmac) || AES-CFB of
  // TPM2B_DIGEST(credential) (CFB does not pad).
  EXPECT_EQ(out->credential_blob.size(), 2 + 2 + s.digest + 2 + 32);
  EXPECT_EQ(Tpm2bSize(out->credential_blob), out->credential_blob.size() - 2);
  EXPECT_EQ(out->encrypted_secret.size(), 2 + s.secret_bytes);
  EXPECT_EQ(Tpm2bSize(out->encrypted_secret), s.secret_bytes);
  // The TSS unmarshals both exactly.
  TPM2B_ID_OBJECT id = {};
  size_t off = 0;
  ASSERT_EQ(Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(
                reinterpret_cast<const uint8_t*>(out->credential_blob.data()),
                out->credential_blob.size(), &off, &id),
            TSS2_RC_SUCCESS);
  EXPECT_EQ(off, out->credential_blob.size());
  TPM2B_ENCRYPTED_SECRET secret = {};
  off = 0;
  ASSERT_EQ(Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(
                reinterpret_cast<const uint8_t*>(out->encrypted_secret.data()),
                out->encrypted_secret.size(), &off, &secret),
            TSS2_RC_SUCCESS);

  auto got =
      SoftwareActivateCredential(ek->key.get(), ek->pub.publicArea, ak->name,
                                 out->credential_blob, out->encrypted_secret);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->view(), kCredential);

  // Another AK name fails the integrity check, as on a TPM.
  auto other = MakeAk(AkKind::kEccP256);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(
      SoftwareActivateCredential(ek->key.get(), ek->pub.publicArea, other->name,
                                 out->credential_blob, out->encrypted_secret)
          .status()
          .code(),
      absl::StatusCode::kPermissionDenied);
  // So does a flipped byte anywhere in the blob after the sizes.
  for (size_t i = 4; i < out->credential_blob.size(); i += 7) {
    std::string bad = out->credential_blob;
    bad[i] ^= 0x01;
    EXPECT_FALSE(SoftwareActivateCredential(ek->key.get(), ek->pub.publicArea,
                                            ak->name, bad,
                                            out->encrypted_secret)
                     .ok())
        << "byte " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Eks, RoundTripTest,
    ::testing::Values(Shape{EkKind::kRsa2048, 32, 256},
                      Shape{EkKind::kEccP256, 32, 2 + 32 + 2 + 32},
                      Shape{EkKind::kEccP384, 48, 2 + 48 + 2 + 48}));

TEST(MakeCredentialTest, EachCallDrawsAFreshSeed) {
  auto ek = MakeEk(EkKind::kEccP256);
  auto ak = MakeAk(AkKind::kEccP256);
  ASSERT_TRUE(ek.ok() && ak.ok());
  auto a = MakeCredential(ek->pub.publicArea, ak->name, kCredential);
  auto b = MakeCredential(ek->pub.publicArea, ak->name, kCredential);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->credential_blob, b->credential_blob);
  EXPECT_NE(a->encrypted_secret, b->encrypted_secret);
}

TEST(MakeCredentialTest, WorksForSwtpmsRecordedEks) {
  const std::string ak_name = ReadFile("lib/tpm/testdata/ak_rsa.name");
  for (const char* file :
       {"lib/tpm/testdata/ek_rsa.pub", "lib/tpm/testdata/ek_ecc384.pub"}) {
    auto ek = tpm::ParseTpm2bPublic(ReadFile(file));
    ASSERT_TRUE(ek.ok()) << file << ": " << ek.status();
    EXPECT_TRUE(CheckCredentialEk(ek->publicArea).ok()) << file;
    auto out = MakeCredential(ek->publicArea, ak_name, kCredential);
    ASSERT_TRUE(out.ok()) << file << ": " << out.status();
  }
}

TEST(MakeCredentialTest, RefusesEksThatCannotProtectACredential) {
  auto ek = MakeEk(EkKind::kRsa2048);
  ASSERT_TRUE(ek.ok());
  const TPMT_PUBLIC good = ek->pub.publicArea;
  struct Case {
    const char* want;
    void (*edit)(TPMT_PUBLIC&);
  } cases[] = {
      {"restricted",
       [](TPMT_PUBLIC& p) { p.objectAttributes &= ~TPMA_OBJECT_RESTRICTED; }},
      {"decrypt",
       [](TPMT_PUBLIC& p) { p.objectAttributes &= ~TPMA_OBJECT_DECRYPT; }},
      {"sign",
       [](TPMT_PUBLIC& p) { p.objectAttributes |= TPMA_OBJECT_SIGN_ENCRYPT; }},
      {"nameAlg", [](TPMT_PUBLIC& p) { p.nameAlg = TPM2_ALG_SHA1; }},
      {"symmetric",
       [](TPMT_PUBLIC& p) {
         p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
       }},
      {"CFB",
       [](TPMT_PUBLIC& p) {
         p.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CTR;
       }},
      {"neither RSA nor ECC",
       [](TPMT_PUBLIC& p) { p.type = TPM2_ALG_KEYEDHASH; }},
  };
  for (const Case& c : cases) {
    TPMT_PUBLIC p = good;
    c.edit(p);
    absl::Status s = CheckCredentialEk(p);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.want;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.want));
    EXPECT_EQ(
        MakeCredential(p, std::string(34, 'n'), kCredential).status().code(),
        absl::StatusCode::kInvalidArgument)
        << c.want;
  }
}

TEST(MakeCredentialTest, RefusesBadSizes) {
  auto ek = MakeEk(EkKind::kEccP256);
  ASSERT_TRUE(ek.ok());
  const TPMT_PUBLIC& p = ek->pub.publicArea;
  const std::string name(34, 'n');
  EXPECT_EQ(MakeCredential(p, name, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCredential(p, name, std::string(33, 'c')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeCredential(p, "n", kCredential).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A point that is not on the curve is refused before any ECDH.
  TPMT_PUBLIC off_curve = p;
  off_curve.unique.ecc.y.buffer[5] ^= 0x40;
  EXPECT_EQ(MakeCredential(off_curve, name, kCredential).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::registrar
