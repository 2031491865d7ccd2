#include "lib/tpm/pcr_digest.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"

namespace candor::tpm {
namespace {

using ::testing::HasSubstr;

TEST(PcrDigestTest, ExtendIsHashOfOldThenDigest) {
  auto v = ExtendValue(TPM2_ALG_SHA256, std::string(32, '\0'),
                       crypto::Sha256("abc"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(absl::BytesToHexString(*v),
            "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d");
  v = ExtendValue(TPM2_ALG_SHA1, std::string(20, '\0'), crypto::Sha1("abc"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(absl::BytesToHexString(*v),
            "ccd5bd41458de644ac34a2478b58ff819bef5acf");
  EXPECT_THAT(std::string(ExtendValue(TPM2_ALG_SHA256, std::string(32, '\0'),
                                      crypto::Sha1("abc"))
                              .status()
                              .message()),
              HasSubstr("32-byte"));
}

TEST(PcrDigestTest, QuoteDigestMatchesTpm2Quote) {
  // tpm2_quote -l sha256:0,1,16+sha1:10 on a fresh swtpm reported this
  // pcrDigest.
  PcrSelection sel = {{TPM2_ALG_SHA256, {0, 1, 16}}, {TPM2_ALG_SHA1, {10}}};
  PcrValues values;
  for (uint32_t pcr : {0, 1, 16})
    values[TPM2_ALG_SHA256][pcr] = std::string(32, '\0');
  values[TPM2_ALG_SHA1][10] = std::string(20, '\0');
  auto d = QuotePcrDigest(TPM2_ALG_SHA256, sel, values);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(absl::BytesToHexString(*d),
            "5b517952cbe9c4c147bc3f3434f9d82409e76d09ea58905aefe7fb5415912d9a");
  values[TPM2_ALG_SHA1].erase(10);
  EXPECT_THAT(
      std::string(
          QuotePcrDigest(TPM2_ALG_SHA256, sel, values).status().message()),
      HasSubstr("sha1:10"));
}

TEST(PcrDigestTest, SelectionAndExtendValidation) {
  EXPECT_TRUE(ValidateSelection({{TPM2_ALG_SHA1, {0, 23}}}).ok());
  EXPECT_FALSE(ValidateSelection({{TPM2_ALG_SHA1, {24}}}).ok());
  EXPECT_FALSE(ValidateSelection({{TPM2_ALG_SHA1, {3, 3}}}).ok());
  EXPECT_FALSE(ValidateSelection({{TPM2_ALG_SHA1, {4, 3}}}).ok());
  EXPECT_FALSE(
      ValidateSelection({{TPM2_ALG_SHA1, {1}}, {TPM2_ALG_SHA1, {2}}}).ok());
  EXPECT_FALSE(ValidateSelection({{TPM2_ALG_RSA, {1}}}).ok());

  EXPECT_TRUE(ValidateExtend({10,
                              {{TPM2_ALG_SHA1, std::string(20, 'a')},
                               {TPM2_ALG_SHA256, std::string(32, 'b')}}})
                  .ok());
  EXPECT_FALSE(
      ValidateExtend({24, {{TPM2_ALG_SHA1, std::string(20, 'a')}}}).ok());
  EXPECT_FALSE(ValidateExtend({10, {}}).ok());
  absl::Status s =
      ValidateExtend({10, {{TPM2_ALG_SHA256, std::string(20, 'a')}}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("sha256 digest is 20 bytes"));
}

}  // namespace
}  // namespace candor::tpm
