// ParseLine and BuildTemplateData: every template, golden template hashes of
// Keylime's fixture logs, and malformed input.
#include "lib/ima/entry.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "lib/ima/hex.h"
#include "lib/ima/template_data.h"

namespace candor::ima {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Sha1Hex(absl::string_view data) {
  return HexEncode(crypto::Sha1(data));
}

std::string Le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

constexpr char kDir[] = "tests/testdata/keylime/create-runtime-policy/";

// Keylime's fixture logs: every non-violation line's template hash is SHA-1
// of the template data we rebuild.
TEST(EntryTest, FixtureTemplateHashesRecomputed) {
  int checked = 0;
  for (const char* alg : {"sha1", "sha256", "sha384", "sha512"}) {
    std::string text = ReadFile(absl::StrCat(kDir, "ima-log-", alg));
    ASSERT_FALSE(text.empty()) << alg;
    int n = 0;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      if (line.empty()) continue;
      Entry e;
      ASSERT_TRUE(ParseLine(line, ++n, &e).ok()) << line;
      EXPECT_EQ(e.tmpl, Template::kImaNg);
      EXPECT_EQ(HashAlgoName(e.digest.algo), alg);
      std::string td;
      BuildTemplateData(e, &td);
      if (e.violation) {
        EXPECT_EQ(e.path, "boot_aggregate");
        continue;
      }
      EXPECT_EQ(Sha1Hex(td), HexEncode(e.template_hash_view())) << line;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 5);  // sha256 has two good lines, the others one
}

TEST(EntryTest, ImaNgTemplateDataLayout) {
  std::string digest(32, '\x11');
  std::string line =
      absl::StrCat("10 ", std::string(40, 'a'),
                   " ima-ng sha256:", HexEncode(digest), " /usr/bin/ls");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  std::string td;
  BuildTemplateData(e, &td);
  std::string want = Le32(6 + 2 + 32) + std::string("sha256:\0", 8) + digest +
                     Le32(12) + std::string("/usr/bin/ls\0", 12);
  EXPECT_EQ(td, want);
}

TEST(EntryTest, ImaSigUnsignedEndsWithSpace) {
  std::string line = absl::StrCat("10 ", std::string(40, '0'),
                                  " ima-sig sha256:", std::string(64, 'b'),
                                  " /bin/with space ");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 7, &e).ok());
  EXPECT_EQ(e.path, "/bin/with space");
  EXPECT_EQ(e.sig_hex, "");
  std::string td;
  BuildTemplateData(e, &td);
  EXPECT_EQ(td.substr(td.size() - 4), Le32(0));

  // Without the trailing space the last word is taken as the signature.
  Entry e2;
  absl::Status s = ParseLine(line.substr(0, line.size() - 1), 7, &e2);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("line 7"));
}

TEST(EntryTest, ImaSigSignedAndSpaces) {
  std::string sig = "030204aabbccdd0002beef";
  std::string line = absl::StrCat("10 ", std::string(40, '1'),
                                  " ima-sig sha256:", std::string(64, 'c'),
                                  " /opt/a b c ", sig);
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  EXPECT_EQ(e.path, "/opt/a b c");
  EXPECT_EQ(e.sig_hex, sig);
  std::string td;
  BuildTemplateData(e, &td);
  const std::string want_sig("\x03\x02\x04\xaa\xbb\xcc\xdd\x00\x02\xbe\xef",
                             11);
  EXPECT_EQ(td.substr(td.size() - 15), Le32(11) + want_sig);
}

TEST(EntryTest, ImaBufAndModsig) {
  std::string line = absl::StrCat("10 ", std::string(40, '2'),
                                  " ima-buf sha256:", std::string(64, 'd'),
                                  " kexec-cmdline 726f6f743d2f");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  EXPECT_EQ(e.tmpl, Template::kImaBuf);
  EXPECT_EQ(e.path, "kexec-cmdline");
  EXPECT_EQ(e.buf_hex, "726f6f743d2f");
  std::string td;
  BuildTemplateData(e, &td);
  EXPECT_EQ(td.substr(td.size() - 10), Le32(6) + "root=/");

  std::string m = absl::StrCat("10 ", std::string(40, '3'),
                               " ima-modsig sha256:", std::string(64, 'e'),
                               " /lib/mod.ko   ");
  ASSERT_TRUE(ParseLine(m, 1, &e).ok());
  EXPECT_EQ(e.tmpl, Template::kImaModsig);
  EXPECT_EQ(e.path, "/lib/mod.ko");
  BuildTemplateData(e, &td);
  EXPECT_EQ(td.substr(td.size() - 12), Le32(0) + Le32(0) + Le32(0));

  std::string m2 = absl::StrCat(
      "10 ", std::string(40, '3'), " ima-modsig sha256:", std::string(64, 'e'),
      " /lib/mod.ko  sha1:", std::string(40, 'f'), " 3082");
  ASSERT_TRUE(ParseLine(m2, 1, &e).ok());
  EXPECT_EQ(e.modsig_digest.algo, HashAlgo::kSha1);
  EXPECT_EQ(e.modsig_hex, "3082");
  BuildTemplateData(e, &td);
  EXPECT_EQ(td.substr(td.size() - (4 + 6 + 20 + 4 + 2)),
            Le32(26) + std::string("sha1:\0", 6) + std::string(20, '\xff') +
                Le32(2) + "\x30\x82");
}

TEST(EntryTest, LegacyImaTemplateFixedName) {
  std::string digest(20, '\x22');
  std::string line = absl::StrCat("10 ", std::string(40, '4'), " ima ",
                                  HexEncode(digest), " /sbin/init");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  EXPECT_EQ(e.digest.algo, HashAlgo::kSha1);
  std::string td;
  BuildTemplateData(e, &td);
  std::string name = "/sbin/init";
  EXPECT_EQ(td, digest + name + std::string(256 - name.size(), '\0'));

  std::string longest(255, 'x');
  // Entries point into their line: keep it alive while `e` is used.
  const std::string longest_line = absl::StrCat(
      "10 ", std::string(40, '4'), " ima ", HexEncode(digest), " ", longest);
  ASSERT_TRUE(ParseLine(longest_line, 1, &e).ok());
  BuildTemplateData(e, &td);
  EXPECT_EQ(td.size(), 20u + 256u);
  EXPECT_EQ(td.back(), '\0');
  absl::Status s = ParseLine(absl::StrCat("10 ", std::string(40, '4'), " ima ",
                                          HexEncode(digest), " ", longest, "y"),
                             9, &e);
  EXPECT_THAT(std::string(s.message()), HasSubstr("at most 255"));
}

TEST(EntryTest, NonUtf8PathKeptAsBytes) {
  std::string path = "/tmp/\xff\xfe\x80name";
  std::string line =
      absl::StrCat("10 ", std::string(40, '5'),
                   " ima-ng sha256:", std::string(64, '0'), " ", path);
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  EXPECT_EQ(e.path, path);
}

TEST(EntryTest, ViolationMayCarryTwentyByteDigest) {
  std::string line =
      absl::StrCat("10 ", std::string(40, '0'),
                   " ima-ng sha256:", std::string(40, '0'), " /var/log/x");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  EXPECT_TRUE(e.violation);
  EXPECT_EQ(e.digest.size, 20);
  // Not for an ordinary entry.
  line[3] = '1';
  absl::Status s = ParseLine(line, 2, &e);
  EXPECT_THAT(std::string(s.message()), HasSubstr("sha256 needs 64"));
}

TEST(EntryTest, AllFfTemplateHashIsNotAViolation) {
  std::string line =
      absl::StrCat("10 ", std::string(40, 'f'),
                   " ima-ng sha256:", std::string(64, '0'), " /x");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  EXPECT_FALSE(e.violation);
  EXPECT_TRUE(e.template_hash_all_ff);
}

TEST(EntryTest, UnknownLogFixtureGivesClearErrors) {
  std::string text = ReadFile(absl::StrCat(kDir, "ima-log-unknown"));
  std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  Entry e;
  absl::Status s = ParseLine(lines[0], 1, &e);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("line 1: template hash"));
  EXPECT_EQ(ParseFailureId(s), "ima.log_malformed");
  // With 32-byte template hashes the digest algorithm is what is wrong.
  s = ParseLine(lines[1], 2, &e, HashAlgo::kSha256);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("line 2: d-ng uses an unsupported digest algorithm "
                        "'unknown'"));
}

struct BadLine {
  std::string line;
  std::string want;  // substring of the error
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
};

TEST(EntryTest, MalformedLines) {
  const std::string th(40, 'a'), d(64, 'b');
  const std::vector<BadLine> cases = {
      {"", "empty line"},
      {"10", "no fields"},
      {"x " + th + " ima-ng sha256:" + d + " /a", "not a PCR number"},
      {"99 " + th + " ima-ng sha256:" + d + " /a", "not 0-23"},
      {"10 " + th, "ends after the template hash"},
      {"10 " + th.substr(2) + " ima-ng sha256:" + d + " /a", "38 hex digits"},
      {"10 " + std::string(40, 'g') + " ima-ng sha256:" + d + " /a",
       "is not hex"},
      {"10 " + th + " ima-ng", "ends after the template name"},
      {"10 " + th + " ima-ng sha256:" + d, "too few fields"},
      {"10 " + th + " ima-ng " + d + " /a", "no '<algorithm>:'"},
      {"10 " + th + " ima-ng sha256:" + d.substr(1) + " /a", "63 hex digits"},
      {"10 " + th + " ima-ng sha256:" + d.substr(2) + " /a", "62 hex digits"},
      {"10 " + th + " ima-ng sha256:" + std::string(64, 'z') + " /a",
       "is not hex"},
      {"10 " + th + " ima-ng md4:" + d + " /a", "unsupported digest algorithm"},
      {"10 " + th + " ima-sig sha256:" + d + " /a zz", "sig field"},
      {"10 " + th + " ima-buf sha256:" + d + " name 0", "buf field"},
      {"10 " + th + " ima-buf sha256:" + d + " name abcd garbage", "buf field"},
      {"10 " + th + " ima-modsig sha256:" + d + " /a", "needs 5 fields"},
      {"10 " + th + " ima-modsig sha256:" + d + " /a   3082",
       "modsig present without d-modsig"},
      {"10 " + th + " ima sha256:" + d + " /a", "ima digest"},
      {"10 " + th + " ima-ng sha256:" + d + " /a\nb", "newline"},
      {"10 " + th + " ima-ng sha256:" + d + " /a" + std::string("\0b", 2),
       "NUL"},
      {"10 " + th + " ima-ngv2 sha256:" + d + " /a", "not supported",
       absl::StatusCode::kUnimplemented},
      {"10 " + th + " d-ng|n-ng sha256:" + d + " /a", "not supported",
       absl::StatusCode::kUnimplemented},
  };
  for (const BadLine& c : cases) {
    Entry e;
    absl::Status s = ParseLine(c.line, 42, &e);
    EXPECT_EQ(s.code(), c.code) << c.line;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.want)) << c.line;
    EXPECT_THAT(std::string(s.message()), HasSubstr("line 42")) << c.line;
  }
}

TEST(EntryTest, EveryPrefixOfAValidLineIsHandled) {
  std::string line = absl::StrCat("10 ", std::string(40, 'a'),
                                  " ima-sig sha256:", std::string(64, 'b'),
                                  " /usr/lib/x.so 030204aabbccdd0000");
  Entry e;
  ASSERT_TRUE(ParseLine(line, 1, &e).ok());
  std::string td;
  for (size_t n = 0; n < line.size(); ++n) {
    const std::string prefix = line.substr(0, n);
    if (ParseLine(prefix, 1, &e).ok()) BuildTemplateData(e, &td);
  }
}

}  // namespace
}  // namespace candor::ima
