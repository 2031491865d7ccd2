// IMA signatures from FileSigner verify with lib/ima's keyring code, for the
// RSA-2048 and secp256k1 keys of Keylime's test data, and carry the keyid.
#include "tools/ima/file_signer.h"

#include <openssl/evp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/ima/entry.h"
#include "lib/ima/keyring.h"
#include "lib/ima/signature.h"
#include "tools/ima/ima_record.h"

namespace candor::tools {
namespace {

constexpr char kKeys[] = "tests/testdata/keylime/ima_keys/";

ima::Keyring KeyringFor(const std::string& private_pem_path) {
  auto pem = ReadFile(private_pem_path);
  EXPECT_TRUE(pem.ok());
  auto key = crypto::PrivateKeyFromPem(*pem);
  EXPECT_TRUE(key.ok());
  auto der = crypto::PublicKeyToDer(key->get());
  EXPECT_TRUE(der.ok());
  auto parsed = ima::ParseKeyDer(*der);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  ima::Keyring ring;
  ring.Add(*parsed);
  return ring;
}

ima::Digest MakeDigest(ima::HashAlgo algo, const std::string& raw) {
  ima::Digest d;
  d.algo = algo;
  d.size = static_cast<uint8_t>(raw.size());
  std::copy(raw.begin(), raw.end(), d.bytes);
  return d;
}

class FileSignerTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FileSignerTest, SignatureVerifiesWithLibIma) {
  const std::string path = std::string(kKeys) + GetParam();
  auto signer = FileSigner::FromPemFile(path);
  ASSERT_TRUE(signer.ok()) << signer.status();
  ima::Keyring ring = KeyringFor(path);
  ASSERT_EQ(ring.keys().size(), 1u);
  EXPECT_EQ(signer->keyid(), ring.keys()[0].keyid);
  for (ima::HashAlgo algo :
       {ima::HashAlgo::kSha256, ima::HashAlgo::kSha1, ima::HashAlgo::kSha512}) {
    const std::string digest = *ImaHash(algo, "file contents");
    auto sig = signer->Sign(algo, digest);
    ASSERT_TRUE(sig.ok()) << sig.status();
    auto parsed = ima::ParseSignatureV2(*sig);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->algo, algo);
    EXPECT_EQ(parsed->keyid, signer->keyid());
    const ima::Keyring* rings[] = {&ring};
    EXPECT_TRUE(
        ima::VerifyFileSignature(*sig, MakeDigest(algo, digest), rings).ok());
    // Another digest does not verify.
    const std::string other = *ImaHash(algo, "other contents");
    EXPECT_EQ(
        ima::VerifyFileSignature(*sig, MakeDigest(algo, other), rings).code(),
        absl::StatusCode::kUnauthenticated);
  }
}

INSTANTIATE_TEST_SUITE_P(Keys, FileSignerTest,
                         ::testing::Values("rsa2048.pem", "secp256k1.pem"));

TEST(FileSignerErrorsTest, KeyidOverrideAndBadInput) {
  auto signer =
      FileSigner::FromPemFile(std::string(kKeys) + "rsa2048.pem", 0x01020304u);
  ASSERT_TRUE(signer.ok());
  EXPECT_TRUE(signer->is_rsa());
  auto sig = signer->Sign(ima::HashAlgo::kSha256,
                          *ImaHash(ima::HashAlgo::kSha256, "x"));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(ima::ParseSignatureV2(*sig)->keyid, 0x01020304u);
  EXPECT_FALSE(signer->Sign(ima::HashAlgo::kSha256, "short").ok());
  EXPECT_EQ(FileSigner::FromPemFile("/nonexistent.pem").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FileSigner::FromPemFile(std::string(kKeys) + "rsa2048pub.pem")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::tools
