// KDFa and KDFe against published known answers: the TPM reference
// implementation's KDFa self-test vectors (TCG TPM 2.0 reference code,
// KdfTestData.h, as shipped in libtpms) and KDFe vectors generated with
// go-tpm (github.com/chrisfenner/tpm-test-vectors, vectors/kdfe.json); KDFa
// is also cross-checked against OpenSSL's SP 800-108 KBKDF.
#include "lib/tpm/kdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tpm {
namespace {

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }
std::string ToHex(const crypto::SecretBytes& b) {
  return absl::BytesToHexString(b.view());
}

struct KdfaCase {
  TPMI_ALG_HASH hash;
  const char* expected;
};

TEST(KdfATest, MatchesTheReferenceImplementationSelfTest) {
  const std::string key = Hex("271FA08BBDC5060EC3DFA928FF9B73123A12DA0C");
  const std::string u = Hex("CE244F395DCA7391");
  const std::string v = Hex("DA504031DDF12E83");
  const KdfaCase cases[] = {
      {TPM2_ALG_SHA1, "55b5a7184aa07423c47dae766c26a2377d7cf851"},
      {TPM2_ALG_SHA256, "bb0259e1c8ba607e6a2cd704b69a902e9ade84c4"},
      {TPM2_ALG_SHA384, "1dce70c9113eb2dba47bd9cfc72bf46f45b09312"},
      {TPM2_ALG_SHA512, "8be2c1b85b78569b9fa759f5857c56d684810fd3"},
  };
  for (const KdfaCase& c : cases) {
    // The label with and without its NUL gives the same result.
    for (absl::string_view label :
         {absl::string_view("KDFSELFTESTLABEL"),
          absl::string_view("KDFSELFTESTLABEL\0", 17)}) {
      auto out = KdfA(c.hash, key, label, u, v, 160);
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(ToHex(*out), c.expected) << c.hash;
    }
  }
}

TEST(KdfATest, AgreesWithOpenSslKbkdfOverSeveralBlocks) {
  std::string key = Hex("00112233445566778899aabbccddeeff");
  const std::string context_u = "context-u";
  const std::string context_v = "v";
  auto ours = KdfA(TPM2_ALG_SHA256, key, "STORAGE", context_u, context_v, 640);
  ASSERT_TRUE(ours.ok()) << ours.status();

  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "KBKDF", nullptr);
  ASSERT_NE(kdf, nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  std::string label = "STORAGE";
  std::string context = context_u + context_v;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
                                       const_cast<char*>("COUNTER"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
                                       const_cast<char*>("HMAC"), 0),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                       const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(),
                                        key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, label.data(),
                                        label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, context.data(),
                                        context.size()),
      OSSL_PARAM_construct_end()};
  std::string theirs(80, '\0');
  ASSERT_EQ(EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(theirs.data()),
                           theirs.size(), params),
            1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  EXPECT_EQ(absl::BytesToHexString(ours->view()),
            absl::BytesToHexString(theirs));
}

struct KdfeCase {
  const char* name;
  TPMI_ALG_HASH hash;
  const char* z;
  const char* use;
  const char* party_u;
  const char* party_v;
  uint32_t bits;
  const char* expected;
};

TEST(KdfETest, MatchesGoTpmVectors) {
  const KdfeCase cases[] = {
      {"06_SHA1_32", TPM2_ALG_SHA1, "9b050039c8e5ca60deeb978f2faf573c94af61",
       "IDENTITY", "ff1a1852db7b60a5c963f17eb306f3a905d100ae",
       "0047ee45771a256d58b091b6d6", 32, "94c3c160"},
      {"31_SHA256_13", TPM2_ALG_SHA256, "739245447ead0deea5f834f06e043159c6ff",
       "IDENTITY",
       "ad503e36c2314ec9afa2f4047bf19ce7fbc6fe2def32c58459c0fc828c00",
       "ba6dd80b788034161743c95e8ef7a9486fbd69d3ff", 13, "0956"},
      {"35_SHA256_336", TPM2_ALG_SHA256,
       "8995a6318a0217c7c7bf543f50da29016c4ff2a1ea5daf54ebcb00", "INTEGRITY",
       "8852f14d8e9b68", "74ff", 336,
       "92343ef558feb95fd14838f9ca39c8618598a7eeb31af7fc276030b8c3ff326d4870f1"
       "90e54abbec9da4"},
      {"37_SHA256_431", TPM2_ALG_SHA256,
       "e89fc5304cf46c1cf7d1f5de5d3d1ec7eddc80b0386700", "SECRET",
       "e602bc959fd97af0405649e0c80e02e9dd64e9d79e698292b043c79dfa9f9261", "",
       431,
       "3a8e893b8b76cdddbf87845b2567fa7152577829f6a55b73cb82d4a1f0342a051d6e50"
       "e20ec2f96bc4de38d7d0d79a9caf99e1d574b9"},
      {"58_SHA384_232", TPM2_ALG_SHA384,
       "ff1f419e5f1dbb2077d6a82e82a928a56bedf5c8c223a10c6646ca5f0db99f91f0",
       "XOR",
       "6dcf4b9a62a0438b83c7e27d18ecd75075341ae7bd1d3a2615ff09885363abcef324eb"
       "1396816c3bb196",
       "004352c8abc6f41bc955e09f9eeab29e83b3451f", 232,
       "af807b1ff3cf665c976579e765cb93d6c1f35159364fb8e5b6f1742015"},
  };
  for (const KdfeCase& c : cases) {
    auto out =
        KdfE(c.hash, Hex(c.z), c.use, Hex(c.party_u), Hex(c.party_v), c.bits);
    ASSERT_TRUE(out.ok()) << c.name << ": " << out.status();
    EXPECT_EQ(ToHex(*out), c.expected) << c.name;
  }
}

TEST(KdfTest, RefusesUnsupportedHashAndSizes) {
  EXPECT_EQ(KdfA(TPM2_ALG_SM3_256, "k", "L", "", "", 128).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KdfE(TPM2_ALG_NULL, "z", "L", "", "", 128).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KdfA(TPM2_ALG_SHA256, "k", "L", "", "", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KdfE(TPM2_ALG_SHA256, "z", "L", "", "", 65537).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HmacTest, Rfc4231Case2Sha384) {
  auto mac = Hmac(EVP_sha384(), "Jefe", "what do ya want for nothing?");
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(absl::BytesToHexString(*mac),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            "8e2240ca5e69e2c78b3239ecfab21649");
}

}  // namespace
}  // namespace candor::tpm
