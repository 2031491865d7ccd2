// Golden bytes for the IMA encoders, a real kernel line reproduced exactly,
// and a cross-check against lib/ima's parser and template-data builder.
#include "tools/ima/ima_record.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/digest.h"
#include "lib/ima/entry.h"
#include "lib/ima/hex.h"
#include "lib/ima/template_data.h"

namespace candor::tools {
namespace {

using ima::HashAlgo;
using ::testing::EndsWith;
using ::testing::HasSubstr;

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

TEST(ImaRecordTest, ImaNgTemplateDataGoldenBytes) {
  auto r = MakeMeasurement(ImaTemplate::kImaNg, "/usr/bin/bash",
                           HashAlgo::kSha256, crypto::Sha256(""));
  ASSERT_TRUE(r.ok()) << r.status();
  // le32(40) "sha256:\0" digest || le32(14) "/usr/bin/bash\0"
  EXPECT_EQ(ima::HexEncode(r->template_data),
            "28000000"
            "7368613235363a00"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            "0e000000"
            "2f7573722f62696e2f6261736800");
  EXPECT_EQ(r->line,
            "10 3438aeee9ad9ff35b8dbc660b97256710f27293a ima-ng "
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
            "7852b855 /usr/bin/bash");
  EXPECT_FALSE(r->violation);
}

TEST(ImaRecordTest, ReproducesARealKernelLine) {
  // From Keylime's test data: a line a kernel wrote.
  auto log =
      ReadFile("tests/testdata/keylime/create-runtime-policy/ima-log-sha256");
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::string> lines = absl::StrSplit(*log, '\n');
  ASSERT_GE(lines.size(), 2u);
  auto r = MakeMeasurement(
      ImaTemplate::kImaNg, "/data", HashAlgo::kSha256,
      Unhex(
          "96d7fae8adb7286a419a88f78c13d35fb782d63df654b7db56f154765698b754"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->line, lines[1]);
  auto agg = MakeMeasurement(
      ImaTemplate::kImaNg, "boot_aggregate", HashAlgo::kSha256,
      Unhex(
          "f4845392eca429a4c941a6a07fc32faf843a88c5c3dfa3b9329ab8f4171d9ce3"));
  EXPECT_EQ(agg->line, lines[0]);
}

TEST(ImaRecordTest, ImaSigUnsignedHasTrailingSpaceAndEmptySigField) {
  auto r = MakeMeasurement(ImaTemplate::kImaSig, "/usr/bin/bash",
                           HashAlgo::kSha256, crypto::Sha256(""));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->line, EndsWith("/usr/bin/bash "));
  EXPECT_THAT(r->line, HasSubstr(" ima-sig "));
  // ima-ng's bytes then le32(0).
  EXPECT_THAT(ima::HexEncode(r->template_data), EndsWith("6800"
                                                         "00000000"));
  EXPECT_EQ(r->line.substr(3, 40), "fe7ee5208df2dc0c80779125f547a90fd71314a0");
}

TEST(ImaRecordTest, ViolationLine) {
  auto r = MakeViolation(ImaTemplate::kImaNg, "/var/log/x", HashAlgo::kSha256);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->violation);
  EXPECT_EQ(r->line, "10 " + std::string(40, '0') + " ima-ng sha256:" +
                         std::string(40, '0') + " /var/log/x");
  auto e = Pcr10Extend(*r, {TPM2_ALG_SHA1, TPM2_ALG_SHA256});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->pcr, 10u);
  EXPECT_EQ(e->digests.at(TPM2_ALG_SHA1), std::string(20, '\xff'));
  EXPECT_EQ(e->digests.at(TPM2_ALG_SHA256), std::string(32, '\xff'));
}

TEST(ImaRecordTest, ExtendIsPerBankHashOfTemplateData) {
  auto r = MakeMeasurement(ImaTemplate::kImaNg, "/x", HashAlgo::kSha1,
                           crypto::Sha1("x"));
  ASSERT_TRUE(r.ok());
  auto e = Pcr10Extend(*r, {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->digests.at(TPM2_ALG_SHA1), crypto::Sha1(r->template_data));
  EXPECT_EQ(e->digests.at(TPM2_ALG_SHA256), crypto::Sha256(r->template_data));
  EXPECT_EQ(e->digests.at(TPM2_ALG_SHA384), crypto::Sha384(r->template_data));
  EXPECT_EQ(r->line.substr(3, 40),
            ima::HexEncode(crypto::Sha1(r->template_data)));
}

TEST(ImaRecordTest, BootAggregate) {
  tpm::PcrValues pcrs;
  std::string cat256, cat1;
  for (uint32_t i = 0; i < 10; ++i) {
    pcrs[TPM2_ALG_SHA256][i] = crypto::Sha256(std::to_string(i));
    pcrs[TPM2_ALG_SHA1][i] = crypto::Sha1(std::to_string(i));
    cat256 += pcrs[TPM2_ALG_SHA256][i];
    if (i < 8) cat1 += pcrs[TPM2_ALG_SHA1][i];
  }
  EXPECT_EQ(*ComputeBootAggregate(HashAlgo::kSha256, pcrs),
            crypto::Sha256(cat256));
  EXPECT_EQ(*ComputeBootAggregate(HashAlgo::kSha1, pcrs), crypto::Sha1(cat1));
  auto r = MakeBootAggregate(ImaTemplate::kImaSig, HashAlgo::kSha256, pcrs);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->line, EndsWith(" ima-sig sha256:" +
                                ima::HexEncode(crypto::Sha256(cat256)) +
                                " boot_aggregate "));
  pcrs[TPM2_ALG_SHA256].erase(9);
  auto missing = ComputeBootAggregate(HashAlgo::kSha256, pcrs);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("PCR 9"));
  EXPECT_EQ(ComputeBootAggregate(HashAlgo::kMd5, pcrs).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImaRecordTest, AgreesWithLibImaParser) {
  std::vector<ImaRecord> records;
  records.push_back(*MakeMeasurement(ImaTemplate::kImaNg, "/usr/lib/a b.so",
                                     HashAlgo::kSha256, crypto::Sha256("a")));
  records.push_back(*MakeMeasurement(ImaTemplate::kImaNg, "/etc/x",
                                     HashAlgo::kSha512, crypto::Sha512("x")));
  records.push_back(*MakeMeasurement(ImaTemplate::kImaSig, "/usr/bin/s",
                                     HashAlgo::kSha256, crypto::Sha256("s"),
                                     std::string("\x03\x02\x04\x01\x02\x03\x04"
                                                 "\x00\x02\xaa\xbb",
                                                 11)));
  records.push_back(*MakeMeasurement(ImaTemplate::kImaSig, "/usr/bin/u",
                                     HashAlgo::kSha256, crypto::Sha256("u")));
  records.push_back(
      *MakeViolation(ImaTemplate::kImaSig, "/tmp/v", HashAlgo::kSha256));
  uint64_t n = 0;
  for (const ImaRecord& r : records) {
    ima::Entry e;
    ASSERT_TRUE(ima::ParseLine(r.line, ++n, &e).ok()) << r.line;
    std::string td;
    ima::BuildTemplateData(e, &td);
    EXPECT_EQ(td, r.template_data) << r.line;
    EXPECT_EQ(e.violation, r.violation);
  }
}

TEST(ImaRecordTest, Errors) {
  const std::string d = crypto::Sha256("");
  EXPECT_FALSE(
      MakeMeasurement(ImaTemplate::kImaNg, "", HashAlgo::kSha256, d).ok());
  EXPECT_FALSE(
      MakeMeasurement(ImaTemplate::kImaNg, "/a\nb", HashAlgo::kSha256, d).ok());
  EXPECT_FALSE(MakeMeasurement(ImaTemplate::kImaNg, std::string("/a\0b", 4),
                               HashAlgo::kSha256, d)
                   .ok());
  EXPECT_FALSE(MakeMeasurement(ImaTemplate::kImaNg, std::string(4096, 'a'),
                               HashAlgo::kSha256, d)
                   .ok());
  EXPECT_FALSE(
      MakeMeasurement(ImaTemplate::kImaNg, "/a", HashAlgo::kSha1, d).ok());
  auto sig_on_ng =
      MakeMeasurement(ImaTemplate::kImaNg, "/a", HashAlgo::kSha256, d, "s");
  EXPECT_THAT(sig_on_ng.status().message(), HasSubstr("ima-sig"));
  EXPECT_FALSE(ParseImaTemplate("ima").ok());
  EXPECT_EQ(*ParseImaTemplate("ima-sig"), ImaTemplate::kImaSig);
}

TEST(ImaRecordTest, ParseAlgoDigest) {
  auto p = ParseAlgoDigest("sha256:" + ima::HexEncode(crypto::Sha256("")));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->first, HashAlgo::kSha256);
  EXPECT_EQ(p->second, crypto::Sha256(""));
  EXPECT_FALSE(ParseAlgoDigest("sha256:abcd").ok());
  EXPECT_FALSE(ParseAlgoDigest("abcd").ok());
  EXPECT_FALSE(ParseAlgoDigest("foo:abcd").ok());
  EXPECT_EQ(*ImaHash(HashAlgo::kSha1, "abc"), crypto::Sha1("abc"));
}

}  // namespace
}  // namespace candor::tools
