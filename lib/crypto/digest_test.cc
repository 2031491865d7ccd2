#include "lib/crypto/digest.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace candor::crypto {
namespace {

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

// FIPS 180-2 appendix known answers for "abc" and the empty message.
TEST(DigestTest, Sha256KnownAnswers) {
  EXPECT_EQ(Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, Sha1KnownAnswer) {
  EXPECT_EQ(Hex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(DigestTest, Sha384KnownAnswer) {
  EXPECT_EQ(Hex(Sha384("abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");
}

TEST(DigestTest, Sha512KnownAnswer) {
  EXPECT_EQ(Hex(Sha512("abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

TEST(DigestTest, GenericDigestMatchesHelpers) {
  absl::StatusOr<std::string> d = Digest(EVP_sha256(), "abc");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, Sha256("abc"));
  d = Digest(EVP_sha384(), "abc");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, Sha384("abc"));
}

TEST(DigestTest, BinaryDataWithNulBytes) {
  std::string data("a\0b\0c", 5);
  EXPECT_NE(Sha256(data), Sha256("abc"));
  EXPECT_EQ(*Digest(EVP_sha256(), data), Sha256(data));
}

TEST(DigestTest, NullDigestIsInvalidArgument) {
  absl::StatusOr<std::string> d = Digest(nullptr, "abc");
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::crypto
