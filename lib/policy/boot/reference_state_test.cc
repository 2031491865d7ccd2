#include "lib/policy/boot/reference_state.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace candor::policy {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kH = "0x" + std::string(64, 'a');

// The shape of Keylime's example_reference_state.json (owners in the old
// tpm2-tools byte order, lower-case hex, has_secureboot absent).
Json KeylimeShaped() {
  return Json::parse(R"({
    "scrtm_and_bios": [{"scrtm": {"sha256": ")" +
                     kH + R"("},
                        "platform_firmware": [{"sha256": ")" +
                     kH + R"("},
                                              {"sha1": "0x)" +
                     std::string(40, '1') + R"("}]}],
    "pk": [{"SignatureOwner": "61dfe48b-ca93-d211-aa0d-00e098032b8c",
            "SignatureData": "0x3082"}],
    "kek": [], "db": [],
    "dbx": [{"SignatureData": ")" +
                     kH + R"(",
             "SignatureOwner": "a3a8baa0-1d04-a848-bc87-c36d121b5e3d"}],
    "mokdig": [{"sha256": ")" +
                     kH + R"("}],
    "mokxdig": [],
    "kernels": [{"shim_authcode_sha256": ")" +
                     kH + R"(",
                 "grub_authcode_sha256": ")" +
                     kH + R"(",
                 "kernel_authcode_sha256": ")" +
                     kH + R"(",
                 "initrd_plain_sha256": ")" +
                     kH + R"(",
                 "kernel_cmdline":
                     "/boot/vmlinuz-5.4.0-81-generic root=UUID=68a3fb48 ro"}],
    "vendor_db": []
  })");
}

absl::Status ParseJson(const Json& j) {
  return ParseReferenceState(j.dump()).status();
}

void ExpectInvalid(const Json& j, absl::string_view field,
                   absl::string_view why = "") {
  absl::Status st = ParseJson(j);
  ASSERT_FALSE(st.ok()) << "accepted: " << j.dump();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(std::string(field) + ":"));
  EXPECT_THAT(st.message(), HasSubstr(why));
}

TEST(ReferenceStateTest, ParsesKeylimeShape) {
  auto rs = ParseReferenceState(KeylimeShaped().dump());
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_TRUE(rs->has_secureboot);
  EXPECT_EQ(rs->scrtm_and_bios[0].platform_firmware.size(), 2u);
  // Kept as written; evaluation matches either byte order.
  EXPECT_EQ(rs->pk[0].owner.ToString(), "61dfe48b-ca93-d211-aa0d-00e098032b8c");
  EXPECT_EQ(rs->pk[0].owner.ToRawOrderString(),
            "8be4df61-93ca-11d2-aa0d-00e098032b8c");
  EXPECT_EQ(rs->pk[0].data, "\x30\x82");
  EXPECT_EQ(rs->kernels[0].kernel_authcode_sha256, std::string(32, '\xaa'));
  EXPECT_TRUE(
      RE2::FullMatch("/boot/vmlinuz-5.4.0-81-generic root=UUID=68a3fb48 ro",
                     *rs->kernels[0].kernel_cmdline_re));
}

TEST(ReferenceStateTest, JsonRoundTrip) {
  auto rs = ParseReferenceState(KeylimeShaped().dump());
  ASSERT_TRUE(rs.ok());
  std::string json = ReferenceStateToJson(*rs);
  auto again = ParseReferenceState(json);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(ReferenceStateToJson(*again), json);
  Json j = Json::parse(json);
  // Owners as written, digests as 0x + lower-case hex.
  EXPECT_EQ(j["pk"][0]["SignatureOwner"],
            "61dfe48b-ca93-d211-aa0d-00e098032b8c");
  EXPECT_EQ(j["has_secureboot"], true);
  EXPECT_EQ(j["scrtm_and_bios"][0]["platform_firmware"][1]["sha1"],
            "0x" + std::string(40, '1'));
}

TEST(ReferenceStateTest, UpperCaseHexAndMissingScrtmAccepted) {
  Json j = KeylimeShaped();
  j["kernels"][0]["initrd_plain_sha256"] = "0x" + std::string(64, 'A');
  j["scrtm_and_bios"][0].erase("scrtm");
  auto rs = ParseReferenceState(j.dump());
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_FALSE(rs->scrtm_and_bios[0].scrtm.has_value());
}

TEST(ReferenceStateTest, ErrorsNameTheField) {
  for (const char* key : {"scrtm_and_bios", "pk", "kek", "db", "dbx", "mokdig",
                          "mokxdig", "kernels"}) {
    Json j = KeylimeShaped();
    j.erase(key);
    ExpectInvalid(j, key, "is missing");
  }
  Json j = KeylimeShaped();
  j["kernels"][0]["initrd_plain_sha256"] = "dcab";
  ExpectInvalid(j, "kernels[0].initrd_plain_sha256", "is not 0x followed");
  j = KeylimeShaped();
  j["kernels"][0]["shim_authcode_sha256"] = "0x1234";
  ExpectInvalid(j, "kernels[0].shim_authcode_sha256",
                "has 2 bytes, expected 32");
  j = KeylimeShaped();
  j["kernels"][0].erase("kernel_authcode_sha256");
  ExpectInvalid(j, "kernels[0].kernel_authcode_sha256", "is missing");
  j["has_secureboot"] = false;
  ExpectInvalid(j, "kernels[0].vmlinuz_plain_sha256",
                "has_secureboot is false");
  j = KeylimeShaped();
  j["pk"][0]["SignatureOwner"] = "not-a-guid";
  ExpectInvalid(j, "pk[0].SignatureOwner", "is not a GUID");
  j = KeylimeShaped();
  j["dbx"][0]["SignatureData"] = "0xabc";
  ExpectInvalid(j, "dbx[0].SignatureData", "odd number");
  j = KeylimeShaped();
  j["mokdig"][0] = {{"md5", kH}};
  ExpectInvalid(j, "mokdig[0].md5", "unknown PCR bank");
  j = KeylimeShaped();
  j["scrtm_and_bios"][0]["platform_firmware"][1]["sha1"] = kH;
  ExpectInvalid(j, "scrtm_and_bios[0].platform_firmware[1].sha1",
                "expected 20");
  j = KeylimeShaped();
  j["has_secureboot"] = "yes";
  ExpectInvalid(j, "has_secureboot", "true or false");
  j = KeylimeShaped();
  j["kernels"] = Json::array();
  ExpectInvalid(j, "kernels", "is empty");
  j = KeylimeShaped();
  j["kek"] = Json::object();
  ExpectInvalid(j, "kek", "is not a list");
}

TEST(ReferenceStateTest, RegexRe2RejectsIsAValidationError) {
  for (const char* bad :
       {"(?=lookahead)x", "(a)\\1", "unbalanced(", "a{1001}"}) {
    Json j = KeylimeShaped();
    j["kernels"][0]["kernel_cmdline"] = bad;
    ExpectInvalid(j, "kernels[0].kernel_cmdline", "RE2 rejects");
  }
}

TEST(ReferenceStateTest, NotJson) {
  auto rs = ParseReferenceState("{\"pk\": [");
  ASSERT_FALSE(rs.ok());
  EXPECT_THAT(rs.status().message(), HasSubstr("not valid JSON"));
  EXPECT_FALSE(ParseReferenceState("[1]").ok());
  EXPECT_FALSE(ParseReferenceState("").ok());
}

}  // namespace
}  // namespace candor::policy
