#include "lib/payload/unsplit.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/payload/key_split.h"
#include "lib/payload/payload_crypto.h"

namespace candor::payload {
namespace {

using crypto::SecretBytes;

// A golden vector, computed independently with Python's hmac/hashlib:
// K = 00 01 .. 1f, agent id "agent-golden".
TEST(PayloadCryptoTest, AuthTagGoldenVector) {
  std::string k_bytes;
  for (int i = 0; i < 32; ++i) k_bytes.push_back(static_cast<char>(i));
  auto tag = ComputeAuthTag(SecretBytes(k_bytes), "agent-golden");
  ASSERT_TRUE(tag.ok()) << tag.status();
  EXPECT_EQ(absl::BytesToHexString(*tag),
            "c6be00832ee4c88a3171b70f70cc17baf46f98167bb1501bb0819147248ccbb6"
            "1b13b6caed1d93ba48c516c819edcc31");
}

// Same K, IV 64 65 .. 6f, made with Python's cryptography AESGCM.
TEST(PayloadCryptoTest, GcmGoldenVector) {
  std::string k_bytes;
  for (int i = 0; i < 32; ++i) k_bytes.push_back(static_cast<char>(i));
  const std::string envelope = absl::HexStringToBytes(
      "6465666768696a6b6c6d6e6f2f74b2021c8776ee52033686ae0012893f1f18683faf8c"
      "9da43b02f25dad4cb0");
  auto plain = GcmOpen(SecretBytes(k_bytes), envelope);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->view(), "golden plaintext");
  auto sealed = GcmSeal(SecretBytes(k_bytes), "golden plaintext");
  ASSERT_TRUE(sealed.ok());
  auto again = GcmOpen(SecretBytes(k_bytes), *sealed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->view(), "golden plaintext");
}

class UnsplitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto split = SplitKey("agent-1", "secret payload bytes");
    ASSERT_TRUE(split.ok()) << split.status();
    split_ = std::move(*split);
  }
  KeySplit split_;
};

TEST_F(UnsplitTest, WrongTagIsPermissionDenied) {
  std::string tag = split_.auth_tag;
  tag[0] ^= 1;
  EXPECT_EQ(RecombineKey(split_.u, split_.v, "agent-1", tag).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(UnsplitTest, OtherAgentIdIsPermissionDenied) {
  EXPECT_EQ(RecombineKey(split_.u, split_.v, "agent-2", split_.auth_tag)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(UnsplitTest, SharesFromDifferentSplitsAreRefused) {
  auto other = SplitKey("agent-1", "x");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(RecombineKey(split_.u, other->v, "agent-1", split_.auth_tag)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(UnsplitTest, WrongSizeSharesAndTag) {
  SecretBytes short_u(split_.u.view().substr(0, 31));
  EXPECT_EQ(RecombineKey(short_u, split_.v, "agent-1", split_.auth_tag)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  SecretBytes long_v(split_.v.view());
  long_v.append("x");
  EXPECT_EQ(RecombineKey(split_.u, long_v, "agent-1", split_.auth_tag)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      RecombineKey(split_.u, split_.v, "agent-1", split_.auth_tag.substr(0, 32))
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(UnsplitTest, FlippedGcmBitsAreRefused) {
  auto k = RecombineKey(split_.u, split_.v, "agent-1", split_.auth_tag);
  ASSERT_TRUE(k.ok()) << k.status();
  for (size_t i :
       {size_t{0}, size_t{12}, split_.encrypted_payload.size() - 1}) {
    std::string bad = split_.encrypted_payload;
    bad[i] ^= 0x80;
    EXPECT_EQ(DecryptPayload(*k, bad).status().code(),
              absl::StatusCode::kPermissionDenied)
        << "flipped byte " << i;
  }
}

TEST_F(UnsplitTest, TruncatedCiphertextIsRefused) {
  auto k = RecombineKey(split_.u, split_.v, "agent-1", split_.auth_tag);
  ASSERT_TRUE(k.ok());
  const std::string& ct = split_.encrypted_payload;
  EXPECT_EQ(DecryptPayload(*k, ct.substr(0, ct.size() - 1)).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(DecryptPayload(*k, ct.substr(0, 27)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecryptPayload(*k, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(UnwrapShareTest, WrongKeyAndGarbage) {
  auto key = crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048);
  auto other = crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok() && other.ok());
  auto spki = crypto::PublicKeyToDer(other->get());
  ASSERT_TRUE(spki.ok());
  SecretBytes share(32);
  auto wrapped = WrapShare(*spki, share);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(UnwrapShare(key->get(), *wrapped).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnwrapShare(key->get(), "garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(UnwrapShare(key->get(), "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(UnwrapShareTest, WrongSizeShareIsRefused) {
  auto key = crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok());
  auto spki = crypto::PublicKeyToDer(key->get());
  ASSERT_TRUE(spki.ok());
  auto wrapped = WrapShare(*spki, SecretBytes(16));
  ASSERT_TRUE(wrapped.ok());
  auto r = UnwrapShare(key->get(), *wrapped);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("16 bytes"));
}

}  // namespace
}  // namespace candor::payload
