#include "lib/tpm/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <tss2/tss2_mu.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"

namespace candor::tpm {
namespace {

using crypto::OsslPtr;
using crypto::PublicKeysEqual;
using ::testing::HasSubstr;

// Golden vectors recorded from swtpm; see testdata/README.md.
constexpr char kTestdata[] = "lib/tpm/testdata/";

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(kTestdata + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << kTestdata << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TPMT_PUBLIC ParseGolden(const std::string& key) {
  absl::StatusOr<TPM2B_PUBLIC> pub =
      ParseTpm2bPublic(ReadTestdata(key + ".pub"));
  EXPECT_TRUE(pub.ok()) << key << ": " << pub.status();
  return pub.ok() ? pub->publicArea : TPMT_PUBLIC{};
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

class GoldenKeyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenKeyTest, NameEqualsTheTpmsName) {
  const std::string key = GetParam();
  absl::StatusOr<std::string> name = ComputeName(ParseGolden(key));
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, ReadTestdata(key + ".name"));
}

TEST_P(GoldenKeyTest, MarshalGivesTheSameBytes) {
  const std::string bytes = ReadTestdata(std::string(GetParam()) + ".pub");
  absl::StatusOr<TPM2B_PUBLIC> pub = ParseTpm2bPublic(bytes);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(pub->size + 2u, bytes.size());
  EXPECT_EQ(MarshalTpm2bPublic(*pub), bytes);
}

TEST_P(GoldenKeyTest, EveryTruncationIsRejected) {
  const std::string bytes = ReadTestdata(std::string(GetParam()) + ".pub");
  for (size_t len = 0; len < bytes.size(); ++len) {
    absl::StatusOr<TPM2B_PUBLIC> pub = ParseTpm2bPublic(bytes.substr(0, len));
    ASSERT_EQ(pub.status().code(), absl::StatusCode::kInvalidArgument)
        << "accepted a " << len << "-byte prefix";
  }
}

TEST_P(GoldenKeyTest, TrailingBytesAreRejected) {
  const std::string bytes = ReadTestdata(std::string(GetParam()) + ".pub");
  absl::StatusOr<TPM2B_PUBLIC> pub = ParseTpm2bPublic(bytes + '\0');
  EXPECT_EQ(pub.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(pub.status()), HasSubstr("follow"));
}

TEST_P(GoldenKeyTest, WrongSizeFieldIsRejected) {
  const std::string bytes = ReadTestdata(std::string(GetParam()) + ".pub");
  const size_t size = bytes.size() - 2;
  auto with_size = [&](size_t s, const std::string& body) {
    return std::string{static_cast<char>(s >> 8), static_cast<char>(s)} + body;
  };
  // Size field off by one either way, body unchanged.
  for (size_t s : {size - 1, size + 1, size_t{0}, size_t{0xFFFF}}) {
    absl::StatusOr<TPM2B_PUBLIC> pub =
        ParseTpm2bPublic(with_size(s, bytes.substr(2)));
    EXPECT_EQ(pub.status().code(), absl::StatusCode::kInvalidArgument) << s;
  }
  // Size field and body agree, but the TPMT_PUBLIC does not use it all.
  absl::StatusOr<TPM2B_PUBLIC> pub =
      ParseTpm2bPublic(with_size(size + 2, bytes.substr(2) + "xx"));
  EXPECT_EQ(pub.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(pub.status()),
              HasSubstr("uses " + std::to_string(size) + " of the " +
                        std::to_string(size + 2)));
  // ... or needs more than it (the body is cut but the size field says so).
  pub = ParseTpm2bPublic(with_size(size - 2, bytes.substr(2, size - 2)));
  EXPECT_EQ(pub.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Swtpm, GoldenKeyTest,
                         ::testing::Values("ek_rsa", "ek_ecc384", "ak_rsa",
                                           "ak_ecc256"));

TEST(PublicKeyTest, GoldenKeysHaveTheExpectedShape) {
  TPMT_PUBLIC ek = ParseGolden("ek_rsa");
  EXPECT_EQ(ek.type, TPM2_ALG_RSA);
  EXPECT_EQ(ek.parameters.rsaDetail.keyBits, 2048);
  TPMT_PUBLIC ek384 = ParseGolden("ek_ecc384");
  EXPECT_EQ(ek384.type, TPM2_ALG_ECC);
  EXPECT_EQ(ek384.nameAlg, TPM2_ALG_SHA384);
  EXPECT_EQ(ek384.parameters.eccDetail.curveID, TPM2_ECC_NIST_P384);
  TPMT_PUBLIC ak = ParseGolden("ak_ecc256");
  EXPECT_EQ(ak.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
}

void ExpectKeyMatchesCertificate(const std::string& key,
                                 const std::string& cert_file) {
  absl::StatusOr<OsslPtr<EVP_PKEY>> tpm_key = PublicToEvpPkey(ParseGolden(key));
  ASSERT_TRUE(tpm_key.ok()) << tpm_key.status();
  absl::StatusOr<OsslPtr<X509>> cert =
      crypto::ParseCertificate(ReadTestdata(cert_file));
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<OsslPtr<EVP_PKEY>> cert_key =
      crypto::CertificatePublicKey(cert->get());
  ASSERT_TRUE(cert_key.ok()) << cert_key.status();
  EXPECT_TRUE(PublicKeysEqual(tpm_key->get(), cert_key->get()));
}

TEST(PublicKeyTest, RsaEkEqualsTheKeyInItsCertificate) {
  ExpectKeyMatchesCertificate("ek_rsa", "ek_rsa_cert.der");
}

TEST(PublicKeyTest, EccP384EkEqualsTheKeyInItsCertificate) {
  ExpectKeyMatchesCertificate("ek_ecc384", "ek_ecc384_cert.der");
}

TEST(PublicKeyTest, EksDoNotMatchTheOtherCertificate) {
  OsslPtr<EVP_PKEY> rsa = PublicToEvpPkey(ParseGolden("ek_rsa")).value();
  OsslPtr<X509> cert =
      crypto::ParseCertificate(ReadTestdata("ek_ecc384_cert.der")).value();
  OsslPtr<EVP_PKEY> ecc = crypto::CertificatePublicKey(cert.get()).value();
  EXPECT_FALSE(PublicKeysEqual(rsa.get(), ecc.get()));
}

TEST(PublicKeyTest, AksEqualTheToolsSubjectPublicKeyInfo) {
  for (const char* key : {"ak_rsa", "ak_ecc256"}) {
    OsslPtr<EVP_PKEY> ours = PublicToEvpPkey(ParseGolden(key)).value();
    absl::StatusOr<OsslPtr<EVP_PKEY>> tools =
        crypto::PublicKeyFromDer(ReadTestdata(std::string(key) + ".spki.der"));
    ASSERT_TRUE(tools.ok()) << tools.status();
    EXPECT_TRUE(PublicKeysEqual(ours.get(), tools->get())) << key;
  }
}

TEST(PublicKeyTest, SwtpmEkCertificatesChainToTheSwtpmCa) {
  absl::StatusOr<crypto::CaStore> store =
      crypto::CaStore::LoadDirectory(std::string(kTestdata) + "swtpm_ca");
  ASSERT_TRUE(store.ok()) << store.status();
  for (const char* file : {"ek_rsa_cert.der", "ek_ecc384_cert.der"}) {
    OsslPtr<X509> cert = crypto::ParseCertificate(ReadTestdata(file)).value();
    absl::StatusOr<crypto::VerifiedChain> chain = store->Verify(cert.get());
    ASSERT_TRUE(chain.ok()) << file << ": " << chain.status();
    EXPECT_EQ(chain->anchor_subject, "CN=swtpm-localca-rootca");
  }
}

TEST(PublicKeyTest, RsaExponentZeroMeans65537) {
  TPMT_PUBLIC pub = ParseGolden("ak_rsa");
  ASSERT_EQ(pub.parameters.rsaDetail.exponent, 0u);
  OsslPtr<EVP_PKEY> zero = PublicToEvpPkey(pub).value();
  BIGNUM* e = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(zero.get(), OSSL_PKEY_PARAM_RSA_E, &e), 1);
  OsslPtr<BIGNUM> e_owned(e);
  EXPECT_EQ(BN_get_word(e), 65537u);

  pub.parameters.rsaDetail.exponent = 65537;
  EXPECT_TRUE(PublicKeysEqual(zero.get(), PublicToEvpPkey(pub).value().get()));
  pub.parameters.rsaDetail.exponent = 3;
  EXPECT_FALSE(PublicKeysEqual(zero.get(), PublicToEvpPkey(pub).value().get()));
}

TEST(PublicKeyTest, BadRsaParametersAreRejected) {
  TPMT_PUBLIC pub = ParseGolden("ak_rsa");
  pub.parameters.rsaDetail.exponent = 65536;  // even
  EXPECT_EQ(PublicToEvpPkey(pub).status().code(),
            absl::StatusCode::kInvalidArgument);
  pub = ParseGolden("ak_rsa");
  pub.parameters.rsaDetail.keyBits = 1024;  // modulus is 256 bytes
  absl::Status s = PublicToEvpPkey(pub).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("256 bytes but keyBits is 1024"));
  pub = ParseGolden("ak_rsa");
  pub.unique.rsa.size = 0;
  EXPECT_EQ(PublicToEvpPkey(pub).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PublicKeyTest, UnsupportedCurvesAreRejected) {
  for (TPM2_ECC_CURVE curve :
       {TPM2_ECC_BN_P256, TPM2_ECC_SM2_P256, TPM2_ECC_NIST_P192}) {
    TPMT_PUBLIC pub = ParseGolden("ak_ecc256");
    pub.parameters.eccDetail.curveID = curve;
    absl::Status s = PublicToEvpPkey(pub).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(s), HasSubstr("unsupported ECC curve"));
  }
  TPMT_PUBLIC pub = ParseGolden("ak_ecc256");
  pub.parameters.eccDetail.curveID = TPM2_ECC_BN_P256;
  EXPECT_THAT(Message(PublicToEvpPkey(pub).status()),
              HasSubstr("unsupported ECC curve 0x0010"));
}

TEST(PublicKeyTest, PointNotOnTheCurveIsRejected) {
  TPMT_PUBLIC pub = ParseGolden("ak_ecc256");
  pub.unique.ecc.y.buffer[pub.unique.ecc.y.size - 1] ^= 1;
  absl::Status s = PublicToEvpPkey(pub).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("EVP_PKEY_fromdata(EC)"));
}

TEST(PublicKeyTest, BadCoordinateSizesAreRejected) {
  TPMT_PUBLIC pub = ParseGolden("ak_ecc256");
  pub.unique.ecc.x.size = 33;  // P-256 field is 32 bytes
  EXPECT_EQ(PublicToEvpPkey(pub).status().code(),
            absl::StatusCode::kInvalidArgument);
  pub = ParseGolden("ak_ecc256");
  pub.unique.ecc.y.size = 0;
  EXPECT_EQ(PublicToEvpPkey(pub).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PublicKeyTest, ShortCoordinatesAreLeftPadded) {
  // Find a P-256 key whose X starts with a zero byte, hand it over with that
  // byte stripped (as a TPM may), and expect the same key back.
  for (int attempt = 0; attempt < 5000; ++attempt) {
    OsslPtr<EVP_PKEY> key =
        crypto::test_certs::MakeKey(crypto::test_certs::KeyType::kEcP256)
            .value();
    unsigned char point[65];
    size_t len = 0;
    ASSERT_EQ(
        EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                        point, sizeof(point), &len),
        1);
    ASSERT_EQ(len, 65u);
    if (point[1] != 0) continue;
    TPMT_PUBLIC pub = ParseGolden("ak_ecc256");
    pub.unique.ecc.x.size = 31;
    std::copy(point + 2, point + 33, pub.unique.ecc.x.buffer);
    pub.unique.ecc.y.size = 32;
    std::copy(point + 33, point + 65, pub.unique.ecc.y.buffer);
    absl::StatusOr<OsslPtr<EVP_PKEY>> ours = PublicToEvpPkey(pub);
    ASSERT_TRUE(ours.ok()) << ours.status();
    EXPECT_TRUE(PublicKeysEqual(ours->get(), key.get()));
    return;
  }
  FAIL() << "no key with a leading zero X byte in 5000 tries";
}

TEST(PublicKeyTest, NonKeyTypesAreRejectedByName) {
  TPMT_PUBLIC pub = ParseGolden("ak_rsa");
  pub.type = TPM2_ALG_KEYEDHASH;
  absl::Status s = PublicToEvpPkey(pub).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("TPM2_ALG_KEYEDHASH (0x0008)"));
}

TEST(PublicKeyTest, UnknownTypeInTheEncodingIsRejected) {
  std::string bytes = ReadTestdata("ak_ecc256.pub");
  bytes[2] = 0x12;  // type 0x1234
  bytes[3] = 0x34;
  absl::StatusOr<TPM2B_PUBLIC> pub = ParseTpm2bPublic(bytes);
  EXPECT_EQ(pub.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(pub.status()), HasSubstr("unknown type"));
}

TEST(PublicKeyTest, NameDependsOnEveryField) {
  TPMT_PUBLIC pub = ParseGolden("ak_rsa");
  const std::string name = ComputeName(pub).value();
  EXPECT_EQ(name.size(), 2u + 32u);
  pub.objectAttributes ^= TPMA_OBJECT_USERWITHAUTH;
  EXPECT_NE(ComputeName(pub).value(), name);
  pub = ParseGolden("ak_rsa");
  pub.unique.rsa.buffer[0] ^= 1;
  EXPECT_NE(ComputeName(pub).value(), name);
}

TEST(PublicKeyTest, UnsupportedNameAlgsAreRejected) {
  TPMT_PUBLIC pub = ParseGolden("ak_rsa");
  for (TPMI_ALG_HASH alg : {TPM2_ALG_NULL, TPM2_ALG_SM3_256}) {
    pub.nameAlg = alg;
    absl::Status s = ComputeName(pub).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(s), HasSubstr("unsupported hash algorithm"));
  }
}

TEST(PublicKeyTest, TpmHashToEvp) {
  EXPECT_EQ(TpmHashToEvp(TPM2_ALG_SHA1).value(), EVP_sha1());
  EXPECT_EQ(TpmHashToEvp(TPM2_ALG_SHA256).value(), EVP_sha256());
  EXPECT_EQ(TpmHashToEvp(TPM2_ALG_SHA384).value(), EVP_sha384());
  EXPECT_EQ(TpmHashToEvp(TPM2_ALG_SHA512).value(), EVP_sha512());
  EXPECT_EQ(TpmHashToEvp(TPM2_ALG_RSA).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TpmAlgName(TPM2_ALG_SHA256), "TPM2_ALG_SHA256 (0x000b)");
  EXPECT_EQ(TpmAlgName(0x7777), "unknown algorithm (0x7777)");
}

}  // namespace
}  // namespace candor::tpm
