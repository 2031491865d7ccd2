// IMA signatures v2: keyids, parsing keys, verification with RSA (Keylime's
// test key), EC P-256 and secp256k1, and every way verification fails.
#include "lib/ima/keyring.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"
#include "lib/ima/signature.h"
#include "lib/ima/testing/log_builder.h"

namespace candor::ima {
namespace {

using testing::HashOf;
using ::testing::HasSubstr;
using testing::ReadPrivateKey;
using testing::SignFileDigest;

constexpr char kKeys[] = "tests/testdata/keylime/ima_keys/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Digest MakeDigest(HashAlgo algo, absl::string_view content) {
  Digest d;
  d.algo = algo;
  std::string h = HashOf(algo, content);
  d.size = static_cast<uint8_t>(h.size());
  std::copy(h.begin(), h.end(), d.bytes);
  return d;
}

Keyring RingOf(EVP_PKEY* priv) {
  std::string der = *crypto::PublicKeyToDer(priv);
  absl::StatusOr<KeyringKey> k = ParseKeyDer(der);
  EXPECT_TRUE(k.ok()) << k.status();
  Keyring ring;
  ring.Add(*k);
  return ring;
}

TEST(KeyringTest, RsaFixtureKeyVerifiesAndFlippedFails) {
  crypto::OsslPtr<EVP_PKEY> priv =
      ReadPrivateKey(std::string(kKeys) + "rsa2048.pem");
  absl::StatusOr<std::vector<KeyringKey>> pub =
      ParseKeysPem(ReadFile(std::string(kKeys) + "rsa2048pub.pem"));
  ASSERT_TRUE(pub.ok()) << pub.status();
  ASSERT_EQ(pub->size(), 1u);
  EXPECT_EQ((*pub)[0].keyid, *KeyIdV2(priv.get()));
  Keyring ring;
  ring.Add((*pub)[0]);
  ring.Add((*pub)[0]);  // duplicates are ignored
  EXPECT_EQ(ring.size(), 1u);

  for (HashAlgo algo :
       {HashAlgo::kSha256, HashAlgo::kSha1, HashAlgo::kSha512}) {
    Digest d = MakeDigest(algo, "file content");
    std::string sig = SignFileDigest(priv.get(), algo, d.view());
    const Keyring* rings[] = {&ring};
    EXPECT_TRUE(VerifyFileSignature(sig, d, rings).ok()) << HashAlgoName(algo);
    std::string flipped = sig;
    flipped.back() ^= 0x01;
    EXPECT_EQ(VerifyFileSignature(flipped, d, rings).code(),
              absl::StatusCode::kUnauthenticated);
    Digest other = MakeDigest(algo, "other content");
    EXPECT_EQ(VerifyFileSignature(sig, other, rings).code(),
              absl::StatusCode::kUnauthenticated);
  }
}

TEST(KeyringTest, EcKeysVerify) {
  crypto::OsslPtr<EVP_PKEY> k1 =
      ReadPrivateKey(std::string(kKeys) + "secp256k1.pem");
  crypto::OsslPtr<EVP_PKEY> p256 =
      *crypto::test_certs::MakeKey(crypto::test_certs::KeyType::kEcP256);
  for (EVP_PKEY* key : {k1.get(), p256.get()}) {
    Keyring ring = RingOf(key);
    const Keyring* rings[] = {&ring};
    Digest d = MakeDigest(HashAlgo::kSha256, "ec signed");
    std::string sig = SignFileDigest(key, HashAlgo::kSha256, d.view());
    EXPECT_TRUE(VerifyFileSignature(sig, d, rings).ok());
    sig[sig.size() - 3] ^= 0x40;
    EXPECT_FALSE(VerifyFileSignature(sig, d, rings).ok());
  }
}

TEST(KeyringTest, CertificateKeyidFromSubjectKeyIdentifier) {
  crypto::OsslPtr<EVP_PKEY> key =
      *crypto::test_certs::MakeKey(crypto::test_certs::KeyType::kEcP256);
  crypto::test_certs::CertOptions o;
  o.common_name = "IMA signing";
  crypto::OsslPtr<X509> cert =
      *crypto::test_certs::MakeCertificate(o, key.get(), nullptr, key.get());
  std::string der = *crypto::CertificateToDer(cert.get());
  absl::StatusOr<KeyringKey> k = ParseKeyDer(der);
  ASSERT_TRUE(k.ok()) << k.status();
  // The "hash" SKID is SHA-1 of the public key bits: the same keyid.
  EXPECT_EQ(k->keyid, *KeyIdV2(key.get()));
  absl::StatusOr<std::vector<KeyringKey>> pem =
      ParseKeysPem(*crypto::CertificateToPem(cert.get()) +
                   ReadFile(std::string(kKeys) + "rsa2048pub.pem"));
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_EQ(pem->size(), 2u);
  // Trailing bytes after the DER are refused.
  EXPECT_FALSE(ParseKeyDer(der + "x").ok());
}

TEST(KeyringTest, RefusesPrivateKeysAndGarbage) {
  absl::StatusOr<std::vector<KeyringKey>> r =
      ParseKeysPem(ReadFile(std::string(kKeys) + "rsa2048.pem"));
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("PEM block 1"));
  EXPECT_FALSE(ParseKeysPem("no pem here").ok());
  EXPECT_FALSE(ParseKeyDer("\x30\x03\x02\x01\x01").ok());
}

TEST(KeyringTest, VerificationFailureReasons) {
  crypto::OsslPtr<EVP_PKEY> priv =
      ReadPrivateKey(std::string(kKeys) + "rsa2048.pem");
  Keyring ring = RingOf(priv.get());
  const Keyring* rings[] = {nullptr, &ring};
  Digest d = MakeDigest(HashAlgo::kSha256, "x");
  std::string sig = SignFileDigest(priv.get(), HashAlgo::kSha256, d.view());
  EXPECT_TRUE(VerifyFileSignature(sig, d, rings).ok());

  std::string other_key =
      SignFileDigest(priv.get(), HashAlgo::kSha256, d.view(), 0x01020304);
  absl::Status s = VerifyFileSignature(other_key, d, rings);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("01020304"));

  Digest d1 = MakeDigest(HashAlgo::kSha1, "x");
  EXPECT_EQ(VerifyFileSignature(sig, d1, rings).code(),
            absl::StatusCode::kInvalidArgument);

  std::string v3 = sig;
  v3[1] = 3;
  EXPECT_THAT(std::string(VerifyFileSignature(v3, d, rings).message()),
              HasSubstr("version 3"));
  std::string t5 = sig;
  t5[0] = 5;
  EXPECT_FALSE(VerifyFileSignature(t5, d, rings).ok());
  EXPECT_FALSE(VerifyFileSignature(sig.substr(0, 8), d, rings).ok());
  EXPECT_THAT(std::string(VerifyFileSignature(sig + "x", d, rings).message()),
              HasSubstr("header says"));
  std::string bad_algo = sig;
  bad_algo[2] = 0;  // md4
  EXPECT_FALSE(VerifyFileSignature(bad_algo, d, rings).ok());
}

}  // namespace
}  // namespace candor::ima
