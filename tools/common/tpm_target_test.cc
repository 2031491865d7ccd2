#include "tools/common/tpm_target.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/tpm/testing/fake_tpm.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;

TEST(TpmTargetTest, ResolveTcti) {
  EXPECT_EQ(ResolveTcti("device:/dev/tpmrm0"), "device:/dev/tpmrm0");
  unsetenv("TPM2TOOLS_TCTI");
  EXPECT_EQ(ResolveTcti(""), kDefaultTcti);
  setenv("TPM2TOOLS_TCTI", "swtpm:port=4000", 1);
  EXPECT_EQ(ResolveTcti(""), "swtpm:port=4000");
  unsetenv("TPM2TOOLS_TCTI");
}

TEST(TpmTargetTest, ControlAddress) {
  EXPECT_EQ(*SwtpmControlAddress("swtpm:host=127.0.0.1,port=2321"),
            "127.0.0.1:2322");
  EXPECT_EQ(*SwtpmControlAddress("swtpm:port=40000"), "127.0.0.1:40001");
  EXPECT_EQ(*SwtpmControlAddress("swtpm"), "127.0.0.1:2322");
  EXPECT_EQ(*SwtpmControlAddress("mssim:host=localhost,port=9"),
            "localhost:10");
  auto bad = SwtpmControlAddress("device:/dev/tpmrm0");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--ctrl"));
  EXPECT_FALSE(SwtpmControlAddress("swtpm:port=x").ok());
}

TEST(TpmTargetTest, BankList) {
  auto b = ParseBankList("sha1,sha256,sha384");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*b, (std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA1, TPM2_ALG_SHA256,
                                          TPM2_ALG_SHA384}));
  EXPECT_EQ(BankListName(*b), "sha1,sha256,sha384");
  EXPECT_FALSE(ParseBankList("sha1,sha1").ok());
  EXPECT_FALSE(ParseBankList("md5").ok());
  EXPECT_FALSE(ParseBankList("").ok());
}

TEST(TpmTargetTest, ActiveBanksAndResetValues) {
  tpm::testing::FakeTpm::Options o;
  o.banks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384};
  auto fake = tpm::testing::FakeTpm::Create(o);
  ASSERT_TRUE(fake.ok());
  auto banks = ActiveBanks(**fake);
  ASSERT_TRUE(banks.ok()) << banks.status();
  EXPECT_EQ(*banks, o.banks);
  auto values = ReadPcrsIn(**fake, *banks, {0, 9, 10});
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(RequireResetValues(*values, "x").ok());
  ASSERT_TRUE(
      (*fake)->ExtendPcr(9, {{TPM2_ALG_SHA384, std::string(48, 'a')}}).ok());
  values = ReadPcrsIn(**fake, *banks, {0, 9, 10});
  absl::Status s = RequireResetValues(*values, "reboot first");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("PCR 9 (sha384)"));
  EXPECT_THAT(s.message(), HasSubstr("reboot first"));
}

}  // namespace
}  // namespace candor::tools
