#include "lib/crypto/keys.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/testing/test_certs.h"

namespace candor::crypto {
namespace {

using test_certs::KeyType;
using test_certs::MakeKey;
using ::testing::HasSubstr;

TEST(KeysTest, EqualityComparesPublicParts) {
  OsslPtr<EVP_PKEY> a = MakeKey(KeyType::kEcP256).value();
  OsslPtr<EVP_PKEY> b = MakeKey(KeyType::kEcP256).value();
  OsslPtr<EVP_PKEY> c = MakeKey(KeyType::kEcP384).value();
  OsslPtr<EVP_PKEY> r = MakeKey(KeyType::kRsa2048).value();
  EXPECT_TRUE(PublicKeysEqual(a.get(), a.get()));
  EXPECT_FALSE(PublicKeysEqual(a.get(), b.get()));
  EXPECT_FALSE(PublicKeysEqual(a.get(), c.get()));
  EXPECT_FALSE(PublicKeysEqual(a.get(), r.get()));
  EXPECT_FALSE(PublicKeysEqual(a.get(), nullptr));
  EXPECT_FALSE(PublicKeysEqual(nullptr, nullptr));
}

TEST(KeysTest, DerRoundTripKeepsOnlyThePublicKey) {
  for (KeyType type : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048}) {
    OsslPtr<EVP_PKEY> key = MakeKey(type).value();
    absl::StatusOr<std::string> der = PublicKeyToDer(key.get());
    ASSERT_TRUE(der.ok()) << der.status();
    absl::StatusOr<OsslPtr<EVP_PKEY>> back = PublicKeyFromDer(*der);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(PublicKeysEqual(key.get(), back->get()));
    // The parsed key is public only: re-encoding gives the same bytes.
    EXPECT_EQ(PublicKeyToDer(back->get()).value(), *der);
  }
}

TEST(KeysTest, NullKeyCannotBeEncoded) {
  EXPECT_EQ(PublicKeyToDer(nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KeysTest, GarbageAndTruncatedDerAreRejected) {
  OsslPtr<EVP_PKEY> key = MakeKey(KeyType::kEcP256).value();
  std::string der = PublicKeyToDer(key.get()).value();
  for (const std::string& bad :
       {std::string(), std::string("garbage"), der.substr(0, der.size() - 1),
        der.substr(0, 10)}) {
    absl::StatusOr<OsslPtr<EVP_PKEY>> parsed = PublicKeyFromDer(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr("d2i_PUBKEY"));
  }
}

TEST(KeysTest, TrailingBytesAreRejected) {
  OsslPtr<EVP_PKEY> key = MakeKey(KeyType::kEcP256).value();
  std::string der = PublicKeyToDer(key.get()).value() + "xx";
  absl::StatusOr<OsslPtr<EVP_PKEY>> parsed = PublicKeyFromDer(der);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr("2 trailing bytes"));
}

}  // namespace
}  // namespace candor::crypto
