#include "lib/quote/pcr_list.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::quote {
namespace {

using ::testing::HasSubstr;

TEST(PcrListTest, ParsesTpm2ToolsSyntax) {
  auto sel = ParsePcrList("sha256:0,1,2,10+sha1:16,10");
  ASSERT_TRUE(sel.ok()) << sel.status();
  tpm::PcrSelection want = {{TPM2_ALG_SHA256, {0, 1, 2, 10}},
                            {TPM2_ALG_SHA1, {10, 16}}};
  EXPECT_EQ(*sel, want);
  EXPECT_EQ(FormatPcrList(*sel), "sha256:0,1,2,10+sha1:10,16");
  auto all = ParsePcrList("SHA384:all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].bank, TPM2_ALG_SHA384);
  EXPECT_EQ((*all)[0].pcrs.size(), 24u);
}

TEST(PcrListTest, RejectsBadLists) {
  for (const char* bad :
       {"", "sha256", "sha256:", "md5:1", "sha256:24", "sha256:1,,2",
        "sha256:-1", "sha256:1+sha256:2", "sha256:1,1", "sha256:0x1",
        "sha256:1+", "sha256:007", "sha256: 1"}) {
    EXPECT_FALSE(ParsePcrList(bad).ok()) << bad;
  }
  EXPECT_THAT(ParsePcrList("sha256:24").status().message(), HasSubstr("24"));
}

TEST(PcrListTest, FormatsEdgeCases) {
  EXPECT_EQ(FormatPcrList({}), "");
  EXPECT_EQ(FormatPcrList({{TPM2_ALG_SHA256, {}}}), "sha256:");
}

}  // namespace
}  // namespace candor::quote
