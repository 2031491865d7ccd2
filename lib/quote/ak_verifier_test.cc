#include "lib/quote/ak_verifier.h"

#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/quote/attest.h"
#include "lib/quote/testing/quote_builder.h"

namespace candor::quote {
namespace {

using ::testing::HasSubstr;
using testing::SoftwareAk;

std::string Golden(const std::string& name) {
  std::ifstream in("lib/quote/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kCases[] = {"rsassa_sha256",     "rsapss_sha256",
                                  "ecdsa_p256_sha256", "rsassa_sha384",
                                  "ecdsa_p384_sha384", "after_reset"};

// The failure id, or "" when the signature verified.
std::string Check(const AkVerifier& ak, absl::string_view attest,
                  absl::string_view sig) {
  auto parsed = ParseSignature(sig);
  if (!parsed.ok()) return "unparsed";
  auto f = ak.CheckSignature(attest, *parsed);
  return f ? f->id() : "";
}

TEST(AkVerifierTest, GoldenQuotesVerifyWithTpm2bPublicAndPem) {
  for (const char* c : kCases) {
    SCOPED_TRACE(c);
    const std::string msg = Golden(absl::StrCat(c, ".msg"));
    const std::string sig = Golden(absl::StrCat(c, ".sig"));
    auto ak = AkVerifier::Create(Golden(absl::StrCat(c, ".ak.pub")));
    ASSERT_TRUE(ak.ok()) << ak.status();
    EXPECT_NE((*ak)->scheme(), TPM2_ALG_NULL);
    EXPECT_EQ(Check(**ak, msg, sig), "");
    auto pem = AkVerifier::FromSubjectPublicKeyInfo(
        Golden(absl::StrCat(c, ".ak.pem")));
    ASSERT_TRUE(pem.ok()) << pem.status();
    EXPECT_EQ((*pem)->scheme(), TPM2_ALG_NULL);
    EXPECT_EQ((*pem)->key_type(), (*ak)->key_type());
    EXPECT_EQ((*pem)->key_bits(), (*ak)->key_bits());
    EXPECT_EQ(Check(**pem, msg, sig), "");
  }
}

TEST(AkVerifierTest, OneFlippedAttestByteAnywhereBreaksTheSignature) {
  for (const char* c :
       {"rsassa_sha256", "rsapss_sha256", "ecdsa_p256_sha256"}) {
    auto ak = AkVerifier::Create(Golden(absl::StrCat(c, ".ak.pub")));
    ASSERT_TRUE(ak.ok());
    const std::string msg = Golden(absl::StrCat(c, ".msg"));
    const std::string sig = Golden(absl::StrCat(c, ".sig"));
    for (size_t i = 0; i < msg.size(); ++i) {
      std::string bad = msg;
      bad[i] ^= 0x01;
      ASSERT_EQ(Check(**ak, bad, sig), "quote.bad_signature")
          << c << " byte " << i;
    }
  }
}

TEST(AkVerifierTest, FlippedSignatureValueBytesBreakTheSignature) {
  for (const char* c : {"rsassa_sha256", "ecdsa_p256_sha256"}) {
    auto ak = AkVerifier::Create(Golden(absl::StrCat(c, ".ak.pub")));
    ASSERT_TRUE(ak.ok());
    const std::string msg = Golden(absl::StrCat(c, ".msg"));
    const std::string sig = Golden(absl::StrCat(c, ".sig"));
    // After sigAlg and hash: the value bytes (RSA: size + sig; ECDSA: r, s).
    for (size_t i = 4; i < sig.size(); ++i) {
      std::string bad = sig;
      bad[i] ^= 0x80;
      std::string id = Check(**ak, msg, bad);
      // A flipped size field makes the structure unparseable instead.
      EXPECT_THAT(id, ::testing::AnyOf("quote.bad_signature", "unparsed"))
          << c << " byte " << i;
    }
  }
}

TEST(AkVerifierTest, SchemeAndHashMustBeTheAks) {
  auto rsassa = AkVerifier::Create(Golden("rsassa_sha256.ak.pub"));
  auto pss = AkVerifier::Create(Golden("rsapss_sha256.ak.pub"));
  auto ecc = AkVerifier::Create(Golden("ecdsa_p256_sha256.ak.pub"));
  ASSERT_TRUE(rsassa.ok() && pss.ok() && ecc.ok());
  const std::string msg = Golden("rsapss_sha256.msg");
  const std::string sig = Golden("rsapss_sha256.sig");
  auto parsed = *ParseSignature(sig);
  auto f = (*rsassa)->CheckSignature(msg, parsed);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->id(), "quote.bad_signature");
  EXPECT_THAT(f->message(), HasSubstr("AK's scheme is rsassa-sha256"));
  f = (*ecc)->CheckSignature(msg, parsed);
  ASSERT_TRUE(f.has_value());
  EXPECT_THAT(f->message(), HasSubstr("cannot come from an ECC AK"));
  // Right scheme, wrong key.
  EXPECT_EQ(
      Check(**pss, Golden("rsassa_sha256.msg"), Golden("rsassa_sha256.sig")),
      "quote.bad_signature");
}

TEST(AkVerifierTest, UnsupportedAndUnsignedSignatures) {
  auto soft = SoftwareAk::Generate(SoftwareAk::kRsa2048, TPM2_ALG_RSASSA,
                                   TPM2_ALG_SHA1);
  ASSERT_TRUE(soft.ok()) << soft.status();
  auto ak = AkVerifier::Create(soft->tpm2b_public());
  ASSERT_TRUE(ak.ok()) << ak.status();
  const std::string data = "attest";
  auto f = (*ak)->CheckSignature(data, *ParseSignature(soft->Sign(data)));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->id(), "quote.unsupported_algorithm");
  EXPECT_THAT(f->message(), HasSubstr("rsassa-sha1"));

  TPMT_SIGNATURE ecdaa = {};
  ecdaa.sigAlg = TPM2_ALG_ECDAA;
  ecdaa.signature.ecdaa.hash = TPM2_ALG_SHA256;
  EXPECT_EQ((*ak)->CheckSignature(data, ecdaa)->id(),
            "quote.unsupported_algorithm");
  TPMT_SIGNATURE null = {};
  null.sigAlg = TPM2_ALG_NULL;
  EXPECT_EQ((*ak)->CheckSignature(data, null)->id(), "quote.bad_signature");
}

TEST(AkVerifierTest, SpkiKeyAcceptsAnySchemeOfItsType) {
  auto soft =
      SoftwareAk::Generate(SoftwareAk::kRsa2048, TPM2_ALG_NULL, TPM2_ALG_NULL);
  ASSERT_TRUE(soft.ok());
  auto ak = AkVerifier::FromSubjectPublicKeyInfo(soft->SpkiDer());
  ASSERT_TRUE(ak.ok()) << ak.status();
  const std::string data = "some attest bytes";
  for (TPM2_ALG_ID scheme : {TPM2_ALG_RSASSA, TPM2_ALG_RSAPSS}) {
    for (TPM2_ALG_ID hash :
         {TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512}) {
      EXPECT_EQ(Check(**ak, data, soft->Sign(data, scheme, hash)), "")
          << scheme << " " << hash;
    }
  }
  EXPECT_EQ(Check(**ak, data, soft->Sign(data, TPM2_ALG_RSASSA, TPM2_ALG_SHA1)),
            "quote.unsupported_algorithm");
  auto p384 =
      SoftwareAk::Generate(SoftwareAk::kEccP384, TPM2_ALG_NULL, TPM2_ALG_NULL);
  ASSERT_TRUE(p384.ok());
  auto ecc = AkVerifier::FromSubjectPublicKeyInfo(p384->SpkiDer());
  ASSERT_TRUE(ecc.ok()) << ecc.status();
  EXPECT_EQ((*ecc)->key_bits(), 384);
  for (TPM2_ALG_ID hash : {TPM2_ALG_SHA256, TPM2_ALG_SHA384, TPM2_ALG_SHA512}) {
    EXPECT_EQ(Check(**ecc, data, p384->Sign(data, TPM2_ALG_ECDSA, hash)), "");
  }
}

TEST(AkVerifierTest, RsaPssWithTheSpecsMaximumSaltVerifies) {
  auto soft = SoftwareAk::Generate(SoftwareAk::kRsa2048, TPM2_ALG_RSAPSS,
                                   TPM2_ALG_SHA256);
  ASSERT_TRUE(soft.ok());
  auto ak = AkVerifier::Create(soft->tpm2b_public());
  ASSERT_TRUE(ak.ok());
  const std::string data = "attest";
  unsigned char digest[32];
  unsigned int dlen = 0;
  ASSERT_EQ(EVP_Digest(data.data(), data.size(), digest, &dlen, EVP_sha256(),
                       nullptr),
            1);
  crypto::OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(
      nullptr, const_cast<EVP_PKEY*>(soft->key()), nullptr));
  ASSERT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_MAX),
            1);
  ASSERT_EQ(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()), 1);
  TPMT_SIGNATURE sig = {};
  sig.sigAlg = TPM2_ALG_RSAPSS;
  sig.signature.rsapss.hash = TPM2_ALG_SHA256;
  size_t len = sizeof(sig.signature.rsapss.sig.buffer);
  ASSERT_EQ(EVP_PKEY_sign(ctx.get(), sig.signature.rsapss.sig.buffer, &len,
                          digest, dlen),
            1);
  sig.signature.rsapss.sig.size = static_cast<uint16_t>(len);
  EXPECT_FALSE((*ak)->CheckSignature(data, sig).has_value());
}

TEST(AkVerifierTest, RefusesKeysThatAreNoAks) {
  auto soft = SoftwareAk::Generate(SoftwareAk::kRsa2048, TPM2_ALG_RSASSA,
                                   TPM2_ALG_SHA256);
  ASSERT_TRUE(soft.ok());
  // objectAttributes: bytes 6..9 of the TPM2B_PUBLIC; restricted is 0x10000.
  std::string unrestricted = soft->tpm2b_public();
  ASSERT_EQ(unrestricted[7], '\x05');
  unrestricted[7] = '\x04';
  auto ak = AkVerifier::Create(unrestricted);
  ASSERT_FALSE(ak.ok());
  EXPECT_THAT(ak.status().message(), HasSubstr("restricted signing key"));
  EXPECT_FALSE(AkVerifier::Create("").ok());
  EXPECT_FALSE(AkVerifier::Create(soft->tpm2b_public() + "x").ok());
  EXPECT_FALSE(AkVerifier::FromSubjectPublicKeyInfo("not a key").ok());
  EXPECT_FALSE(
      AkVerifier::FromSubjectPublicKeyInfo(
          "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
          .ok());
  EXPECT_FALSE(
      AkVerifier::FromSubjectPublicKeyInfo(soft->SpkiDer() + "x").ok());
  crypto::OsslPtr<EVP_PKEY> small(EVP_RSA_gen(1024));
  ASSERT_NE(small, nullptr);
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(small.get(), &der);
  ASSERT_GT(n, 0);
  std::string spki(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  auto weak = AkVerifier::FromSubjectPublicKeyInfo(spki);
  ASSERT_FALSE(weak.ok());
  EXPECT_THAT(weak.status().message(), HasSubstr("1024 bits"));
}

TEST(AkVerifierTest, OneVerifierServesManyThreads) {
  auto ak = AkVerifier::Create(Golden("rsassa_sha256.ak.pub"));
  ASSERT_TRUE(ak.ok());
  const std::string msg = Golden("rsassa_sha256.msg");
  const TPMT_SIGNATURE sig = *ParseSignature(Golden("rsassa_sha256.sig"));
  std::string bad = msg;
  bad[10] ^= 1;
  std::atomic<int> good{0}, rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        good += !(*ak)->CheckSignature(msg, sig).has_value();
        rejected += (*ak)->CheckSignature(bad, sig).has_value();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 400);
  EXPECT_EQ(rejected.load(), 400);
}

}  // namespace
}  // namespace candor::quote
