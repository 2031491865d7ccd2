// The ima_emulator commands on a FakeTpm: option validation, synthetic
// counts that continue across calls, single files by digest / local file /
// violation, signatures only on ima-sig logs.
#include "tools/ima/ima_commands.h"

#include <cstdlib>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/digest.h"
#include "lib/ima/hex.h"
#include "lib/tpm/testing/fake_tpm.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string TmpPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

std::vector<std::string> Lines(const std::string& path) {
  return absl::StrSplit(*ReadFile(path), '\n', absl::SkipEmpty());
}

TEST(ImaCommandsTest, Validation) {
  ImaAddFlags f;
  f.log = "x";
  EXPECT_THAT(ValidateImaAdd(f).message(), HasSubstr("--count N"));
  f.count = 3;
  EXPECT_TRUE(ValidateImaAdd(f).ok());
  f.path = "/a";
  EXPECT_EQ(ValidateImaAdd(f).code(), absl::StatusCode::kInvalidArgument);
  f.count = 0;
  EXPECT_THAT(ValidateImaAdd(f).message(), HasSubstr("exactly one"));
  f.digest = "sha256:00";
  f.file = "/etc/hostname";
  EXPECT_THAT(ValidateImaAdd(f).message(), HasSubstr("exactly one"));
  f.file.clear();
  EXPECT_TRUE(ValidateImaAdd(f).ok());
  f.keyid = "01020304";
  EXPECT_THAT(ValidateImaAdd(f).message(), HasSubstr("--sign"));
  ImaAddFlags v;
  v.log = "x";
  v.violation = true;
  EXPECT_THAT(ValidateImaAdd(v).message(), HasSubstr("--path"));
  v.path = "/p";
  v.sign_key = "k.pem";
  EXPECT_THAT(ValidateImaAdd(v).message(), HasSubstr("no signature"));
}

TEST(ImaCommandsTest, InitThenAddContinuesTheFileList) {
  auto t = tpm::testing::FakeTpm::Create();
  const std::string log = TmpPath("cmd1");
  ImaAddFlags add;
  add.log = log;
  add.count = 2;
  EXPECT_EQ(RunImaAdd(**t, add).status().code(),
            absl::StatusCode::kFailedPrecondition);  // no init yet
  ImaInitFlags init;
  init.log = log;
  auto r = RunImaInit(**t, init);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(RunImaAdd(**t, add).ok());
  ASSERT_TRUE(RunImaAdd(**t, add).ok());
  auto lines = Lines(log);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[0], HasSubstr(" boot_aggregate"));
  EXPECT_THAT(lines[1], HasSubstr(" /usr/lib/systemd/systemd"));
  EXPECT_THAT(lines[3], HasSubstr("libc.so.6"));  // the list continued

  ImaAddFlags one;
  one.log = log;
  one.path = "/tmp/evil";
  one.file = TmpPath("evil");
  ASSERT_TRUE(WriteFileAtomically(one.file, "evil").ok());
  auto added = RunImaAdd(**t, one);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_THAT(*added,
              HasSubstr("sha256:" + ima::HexEncode(crypto::Sha256("evil")) +
                        " /tmp/evil"));
  EXPECT_THAT(Lines(log).back(), HasSubstr(" /tmp/evil"));
  one.sign_key = "tests/testdata/keylime/ima_keys/rsa2048.pem";
  EXPECT_EQ(RunImaAdd(**t, one).status().code(),
            absl::StatusCode::kFailedPrecondition);  // ima-ng has no sig
}

TEST(ImaCommandsTest, SignedAndViolationEntriesOnAnImaSigLog) {
  auto t = tpm::testing::FakeTpm::Create();
  const std::string log = TmpPath("cmd2");
  ImaInitFlags init;
  init.log = log;
  init.tmpl = "ima-sig";
  ASSERT_TRUE(RunImaInit(**t, init).ok());
  ImaAddFlags add;
  add.log = log;
  add.count = 3;
  add.sign_key = "tests/testdata/keylime/ima_keys/secp256k1.pem";
  ASSERT_TRUE(RunImaAdd(**t, add).ok());
  ImaAddFlags v;
  v.log = log;
  v.path = "/var/log/app.log";
  v.violation = true;
  ASSERT_TRUE(RunImaAdd(**t, v).ok());
  auto lines = Lines(log);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[0], ::testing::EndsWith("boot_aggregate "));
  for (int i = 1; i <= 3; ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], ' ');
    ASSERT_EQ(f.size(), 6u) << lines[i];
    EXPECT_THAT(f[5], StartsWith("0302"));  // digsig v2
  }
  EXPECT_THAT(lines[4], StartsWith("10 " + std::string(40, '0') + " ima-sig"));
}

}  // namespace
}  // namespace candor::tools
