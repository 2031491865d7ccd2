// VShareSealer: round trips, fresh nonces, tamper and wrong-key detection,
// key sources (raw, file, HKDF of the TLS key) and their errors.
#include "services/verifier/admin/v_share_sealer.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"

namespace candor::verifier {
namespace {

using ::candor::crypto::SecretBytes;
using ::testing::HasSubstr;
using ::testing::Not;

VShareSealer Sealer(char fill) {
  auto s = VShareSealer::FromKey(SecretBytes(std::string(32, fill)));
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(*s);
}

SecretBytes V() {
  return SecretBytes(std::string("0123456789abcdef0123456789ABCDEF"));
}

std::string TempPath(absl::string_view name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

TEST(VShareSealerTest, RoundTripsWithAFreshNonceEachTime) {
  VShareSealer sealer = Sealer('k');
  auto a = sealer.Seal(V());
  auto b = sealer.Seal(V());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->size(), 1u + 12 + 32 + 16);
  EXPECT_NE(*a, *b);
  EXPECT_THAT(*a, Not(HasSubstr("0123456789abcdef")));
  auto opened = sealer.Open(*a);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(crypto::ConstantTimeEquals(opened->view(), V().view()));
}

TEST(VShareSealerTest, EmptyValueRoundTrips) {
  VShareSealer sealer = Sealer('k');
  auto sealed = sealer.Seal(SecretBytes());
  ASSERT_TRUE(sealed.ok());
  auto opened = sealer.Open(*sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(opened->empty());
}

TEST(VShareSealerTest, EveryTamperedByteIsDetected) {
  VShareSealer sealer = Sealer('k');
  auto sealed = sealer.Seal(V());
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 1; i < sealed->size(); ++i) {  // nonce, ciphertext, tag
    std::string bad = *sealed;
    bad[i] ^= 0x01;
    auto opened = sealer.Open(bad);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << i;
  }
}

TEST(VShareSealerTest, WrongKeyIsDataLoss) {
  auto sealed = Sealer('k').Seal(V());
  ASSERT_TRUE(sealed.ok());
  auto opened = Sealer('x').Open(*sealed);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(opened.status().message(), HasSubstr("does not authenticate"));
}

TEST(VShareSealerTest, MalformedSealedBytesAreInvalidArgument) {
  VShareSealer sealer = Sealer('k');
  EXPECT_EQ(sealer.Open("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sealer.Open(std::string(28, '\x01')).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto sealed = sealer.Seal(V());
  ASSERT_TRUE(sealed.ok());
  std::string other_version = *sealed;
  other_version[0] = 0x02;
  auto opened = sealer.Open(other_version);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(opened.status().message(), HasSubstr("format version 2"));
}

TEST(VShareSealerTest, KeyMustBe32Bytes) {
  auto s = VShareSealer::FromKey(SecretBytes(std::string(16, 'k')));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("16 bytes, expected 32"));
}

TEST(VShareSealerTest, KeyFileRawOrHex) {
  const std::string raw_path = TempPath("raw.key");
  const std::string hex_path = TempPath("hex.key");
  ASSERT_TRUE(WriteFileAtomically(raw_path, std::string(32, 'k'), 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(
                  hex_path, absl::StrCat(std::string(64, 'a'), "\n"), 0600)
                  .ok());
  auto raw = VShareSealer::FromKeyFile(raw_path, "v_share_key_file");
  ASSERT_TRUE(raw.ok()) << raw.status();
  // Same key as FromKey with 'k' bytes: each opens the other's output.
  auto sealed = raw->Seal(V());
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(Sealer('k').Open(*sealed).ok());
  auto hex = VShareSealer::FromKeyFile(hex_path, "v_share_key_file");
  ASSERT_TRUE(hex.ok()) << hex.status();
  auto hex_sealed = hex->Seal(V());
  ASSERT_TRUE(hex_sealed.ok());
  EXPECT_TRUE(Sealer('\xaa').Open(*hex_sealed).ok());
}

TEST(VShareSealerTest, KeyFileErrorsNameTheFlagAndFile) {
  const std::string bad_path = TempPath("short.key");
  ASSERT_TRUE(WriteFileAtomically(bad_path, "too short", 0600).ok());
  auto bad = VShareSealer::FromKeyFile(bad_path, "v_share_key_file");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--v_share_key_file"));
  EXPECT_THAT(bad.status().message(), HasSubstr(bad_path));
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("too short")));
  auto missing =
      VShareSealer::FromKeyFile(TempPath("absent.key"), "--v_share_key_file");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("--v_share_key_file"));
  EXPECT_THAT(missing.status().message(), Not(HasSubstr("---")));
}

TEST(VShareSealerTest, TlsKeyDerivationIsDeterministicPerKey) {
  SecretBytes pem_a(std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n"));
  SecretBytes pem_b(std::string("-----BEGIN PRIVATE KEY-----\nBBBB\n"));
  auto a1 = VShareSealer::FromTlsKeyPem(pem_a);
  auto a2 = VShareSealer::FromTlsKeyPem(pem_a);
  auto b = VShareSealer::FromTlsKeyPem(pem_b);
  ASSERT_TRUE(a1.ok() && a2.ok() && b.ok());
  auto sealed = a1->Seal(V());
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(a2->Open(*sealed).ok());
  EXPECT_EQ(b->Open(*sealed).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(VShareSealer::FromTlsKeyPem(SecretBytes()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::verifier
