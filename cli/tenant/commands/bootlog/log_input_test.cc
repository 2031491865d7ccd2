#include "cli/tenant/commands/bootlog/log_input.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::tenant {
namespace {

using ::testing::HasSubstr;

constexpr char kDir[] = "tests/testdata/keylime/";

TEST(LogInputTest, Base64IsDetected) {
  EXPECT_TRUE(LooksLikeBase64("QUJD\nRA==\n"));
  EXPECT_FALSE(LooksLikeBase64(std::string("\0\0\0\0\3", 5)));
  EXPECT_FALSE(LooksLikeBase64(" \n"));
  EXPECT_FALSE(LooksLikeBase64("bogus.invalid"));
}

TEST(LogInputTest, ReadsBinaryAndBase64Logs) {
  auto bin = ReadEventLog(
      std::string(kDir) + "create-mb-policy/binary_bios_measurements", false);
  ASSERT_TRUE(bin.ok()) << bin.status();
  EXPECT_EQ(bin->events().size(), 121u);
  auto b64 = ReadEventLog(std::string(kDir) + "mb_log.b64", false);
  ASSERT_TRUE(b64.ok()) << b64.status();
  EXPECT_EQ(b64->events().size(), 102u);
  // Forcing base64 on a binary log is a clear error.
  auto forced = ReadEventLog(
      std::string(kDir) + "create-mb-policy/binary_bios_measurements", true);
  ASSERT_FALSE(forced.ok());
  EXPECT_THAT(forced.status().message(), HasSubstr("not valid base64"));
}

TEST(LogInputTest, ErrorsNameTheFile) {
  std::string empty =
      std::string(kDir) + "create-mb-policy/binary_bios_measurements-empty";
  auto e = ReadEventLog(empty, false);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr(empty));
  EXPECT_THAT(e.status().message(), HasSubstr("byte offset 0"));
  std::string bogus =
      std::string(kDir) + "create-mb-policy/binary_bios_measurements-bogus";
  auto b = ReadEventLog(bogus, false);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(),
              HasSubstr(bogus + ": UEFI event log: event 0 at byte offset 0: "
                                "not a crypto-agile event log"));
  auto missing = ReadEventLog("no/such/file", false);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(LogInputTest, Printable) {
  EXPECT_EQ(Printable("plain \\EFI\\x.efi"), "plain \\EFI\\x.efi");
  EXPECT_EQ(Printable(std::string("a\0b\n\xff", 5)), "a\\x00b\\n\\xff");
  EXPECT_EQ(Printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(Printable("\xc3"), "\\xc3");
  EXPECT_EQ(Printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

}  // namespace
}  // namespace candor::tenant
