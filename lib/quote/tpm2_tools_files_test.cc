#include "lib/quote/tpm2_tools_files.h"

#include <tss2/tss2_mu.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/quote/pcr_list.h"

namespace candor::quote {
namespace {

using ::testing::HasSubstr;

std::string Golden(const std::string& name) {
  std::ifstream in("lib/quote/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const tpm::PcrSelection& Selection() {
  static const tpm::PcrSelection* sel =
      new tpm::PcrSelection(*ParsePcrList("sha256:0,1,2,3,10,16+sha1:10,16"));
  return *sel;
}

void Put32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>(v >> (8 * i));
}

TEST(Tpm2ToolsPcrsTest, SerializedGoldenFiles) {
  for (const char* c : {"rsassa_sha256", "ecdsa_p384_sha384", "after_reset"}) {
    std::string file = Golden(absl::StrCat(c, ".pcrs"));
    ASSERT_EQ(file.size(), 668u) << c;
    auto pcrs = ParseTpm2ToolsPcrs(file, PcrsFormat::kSerialized);
    ASSERT_TRUE(pcrs.ok()) << c << ": " << pcrs.status();
    EXPECT_EQ(pcrs->selection, Selection());
    ASSERT_EQ(pcrs->values.size(), 2u);
    EXPECT_EQ(pcrs->values.at(TPM2_ALG_SHA256).size(), 6u);
    EXPECT_EQ(pcrs->values.at(TPM2_ALG_SHA1).at(16).size(), 20u);
    // PCR 0 was never extended; 16 was (before the reset).
    EXPECT_EQ(pcrs->values.at(TPM2_ALG_SHA256).at(0), std::string(32, '\0'));
    EXPECT_EQ(pcrs->values.at(TPM2_ALG_SHA256).at(16) == std::string(32, '\0'),
              std::string(c) == "after_reset");
  }
}

TEST(Tpm2ToolsPcrsTest, SerializedIsStrict) {
  const std::string good = Golden("rsassa_sha256.pcrs");
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(
        ParseTpm2ToolsPcrs(good.substr(0, n), PcrsFormat::kSerialized).ok())
        << "prefix " << n;
  }
  EXPECT_FALSE(ParseTpm2ToolsPcrs(good + '\0', PcrsFormat::kSerialized).ok());
  std::string bad = good;
  Put32(&bad, 0, 17);  // selection count
  EXPECT_THAT(
      ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).status().message(),
      HasSubstr("selection count 17"));
  bad = good;
  bad[4 + 2] = 5;  // sizeofSelect of bank 0
  EXPECT_FALSE(ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).ok());
  bad = good;
  bad[4] = '\x99';  // unknown bank
  EXPECT_FALSE(ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).ok());
  bad = good;
  Put32(&bad, 132, 2);  // two digest lists, but only one present
  EXPECT_THAT(
      ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).status().message(),
      HasSubstr("make 1200"));
  bad = good;
  Put32(&bad, 136, 7);  // 7 digests for 8 selected PCRs
  EXPECT_THAT(
      ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).status().message(),
      HasSubstr("7 PCR values"));
  bad = good;
  Put32(&bad, 136, 9);
  EXPECT_FALSE(ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).ok());
  bad = good;
  bad[140] = 31;  // first digest (sha256:0) is 31 bytes
  EXPECT_THAT(
      ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).status().message(),
      HasSubstr("sha256:0 is 31 bytes"));
  bad = good;
  bad[4] = 0x0b;  // bank 1 (sha1) becomes sha256: a bank twice
  bad[12] = 0x0b;
  EXPECT_FALSE(ParseTpm2ToolsPcrs(bad, PcrsFormat::kSerialized).ok());
}

TEST(Tpm2ToolsPcrsTest, MarshaledFormat) {
  auto golden =
      ParseTpm2ToolsPcrs(Golden("rsassa_sha256.pcrs"), PcrsFormat::kSerialized);
  ASSERT_TRUE(golden.ok());
  // Build the tpm2-tools 5.5 "marshaled" form of the same content: one
  // TPML_DIGEST of 8.
  auto tpml = tpm::SelectionToTpml(golden->selection);
  ASSERT_TRUE(tpml.ok());
  TPML_DIGEST list = {};
  for (const tpm::BankSelection& b : golden->selection) {
    for (uint32_t pcr : b.pcrs) {
      const std::string& v = golden->values.at(b.bank).at(pcr);
      TPM2B_DIGEST& d = list.digests[list.count++];
      d.size = static_cast<uint16_t>(v.size());
      std::copy(v.begin(), v.end(), d.buffer);
    }
  }
  uint8_t buf[2048];
  size_t off = 0;
  ASSERT_EQ(Tss2_MU_TPML_PCR_SELECTION_Marshal(&*tpml, buf, sizeof(buf), &off),
            TSS2_RC_SUCCESS);
  ASSERT_EQ(Tss2_MU_UINT32_Marshal(1, buf, sizeof(buf), &off), TSS2_RC_SUCCESS);
  ASSERT_EQ(Tss2_MU_TPML_DIGEST_Marshal(&list, buf, sizeof(buf), &off),
            TSS2_RC_SUCCESS);
  std::string file(reinterpret_cast<char*>(buf), off);
  auto pcrs = ParseTpm2ToolsPcrs(file, PcrsFormat::kMarshaled);
  ASSERT_TRUE(pcrs.ok()) << pcrs.status();
  EXPECT_EQ(pcrs->selection, golden->selection);
  EXPECT_EQ(pcrs->values, golden->values);
  EXPECT_FALSE(ParseTpm2ToolsPcrs(file + "x", PcrsFormat::kMarshaled).ok());
  EXPECT_FALSE(ParseTpm2ToolsPcrs(file.substr(0, file.size() - 1),
                                  PcrsFormat::kMarshaled)
                   .ok());
}

TEST(Tpm2ToolsPcrsTest, ValuesFormatNeedsTheSelection) {
  auto golden =
      ParseTpm2ToolsPcrs(Golden("rsassa_sha256.pcrs"), PcrsFormat::kSerialized);
  ASSERT_TRUE(golden.ok());
  std::string file;
  for (const tpm::BankSelection& b : golden->selection) {
    for (uint32_t pcr : b.pcrs) file += golden->values.at(b.bank).at(pcr);
  }
  EXPECT_EQ(file.size(), 6 * 32u + 2 * 20u);
  auto pcrs = ParseTpm2ToolsPcrs(file, PcrsFormat::kValues, Selection());
  ASSERT_TRUE(pcrs.ok()) << pcrs.status();
  EXPECT_EQ(pcrs->values, golden->values);
  EXPECT_FALSE(ParseTpm2ToolsPcrs(file, PcrsFormat::kValues).ok());
  EXPECT_FALSE(
      ParseTpm2ToolsPcrs(file + "x", PcrsFormat::kValues, Selection()).ok());
  EXPECT_FALSE(
      ParseTpm2ToolsPcrs(file.substr(1), PcrsFormat::kValues, Selection())
          .ok());
}

TEST(Tpm2ToolsMessageTest, RawAndTpm2bForms) {
  const std::string msg = Golden("rsassa_sha256.msg");
  EXPECT_EQ(AttestFromTpm2ToolsMessage(msg), msg);
  std::string tpm2b = std::string(1, '\0') +
                      std::string(1, static_cast<char>(msg.size())) + msg;
  EXPECT_EQ(AttestFromTpm2ToolsMessage(tpm2b), msg);
  // A size that does not match: left alone (the verifier calls it
  // malformed).
  std::string wrong = tpm2b;
  wrong[1]++;
  EXPECT_EQ(AttestFromTpm2ToolsMessage(wrong), wrong);
  EXPECT_EQ(AttestFromTpm2ToolsMessage("ab"), "ab");
}

TEST(Tpm2ToolsPcrsTest, FormatNames) {
  EXPECT_EQ(*ParsePcrsFormat("serialized"), PcrsFormat::kSerialized);
  EXPECT_EQ(*ParsePcrsFormat("marshaled"), PcrsFormat::kMarshaled);
  EXPECT_EQ(*ParsePcrsFormat("values"), PcrsFormat::kValues);
  EXPECT_FALSE(ParsePcrsFormat("json").ok());
}

}  // namespace
}  // namespace candor::quote
