#include "lib/eventlog/event_log.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/guid.h"

namespace candor::eventlog {
namespace {

using ::testing::HasSubstr;

constexpr char kDir[] = "tests/testdata/keylime/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Hex(absl::string_view b) { return absl::BytesToHexString(b); }

TEST(EventLogTest, ParsesKeylimeLog) {
  auto log = EventLog::Parse(ReadFile(
      std::string(kDir) + "create-mb-policy/binary_bios_measurements"));
  ASSERT_TRUE(log.ok()) << log.status();
  const auto& ev = log->events();
  ASSERT_EQ(ev.size(), 121u);
  EXPECT_EQ(log->banks(),
            (std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA1, TPM2_ALG_SHA256}));
  EXPECT_EQ(log->spec_id().spec_version_major, 2);
  EXPECT_EQ(log->spec_id().uintn_size, 2);
  EXPECT_EQ(log->pcr0_locality(), 3);
  EXPECT_EQ(ev[1].startup_locality, 3);

  // Event 3: EV_S_CRTM_VERSION "N40ET41W " in UTF-16.
  EXPECT_EQ(ev[3].type, kEvSCrtmVersion);
  EXPECT_EQ(EventText(ev[3]), "N40ET41W ");
  EXPECT_EQ(Hex(*ev[3].DigestFor(TPM2_ALG_SHA256)),
            "4041070a33e90b4b247a5da43260267306796a98d28548fe493d984b8d371270");
  EXPECT_EQ(Hex(*ev[3].DigestFor(TPM2_ALG_SHA1)),
            "19b3eec11cd5ee47584133d943e2c497093e2d79");

  // Event 12: the SecureBoot variable (off on this machine).
  ASSERT_TRUE(ev[12].variable.has_value());
  EXPECT_EQ(ev[12].pcr, 7u);
  EXPECT_EQ(ev[12].variable->name, "SecureBoot");
  EXPECT_EQ(ev[12].variable->vendor, EfiGlobalVariableGuid());
  EXPECT_EQ(ev[12].variable->data, std::string(1, '\0'));
  EXPECT_EQ(ev[16].variable->name, "dbx");
  EXPECT_EQ(ev[16].variable->vendor, EfiImageSecurityDatabaseGuid());
  EXPECT_EQ(ev[16].variable->data.size(), 23956u);

  // Event 52: shim, an EV_EFI_BOOT_SERVICES_APPLICATION on PCR 4.
  EXPECT_EQ(ev[52].type, kEvEfiBootServicesApplication);
  ASSERT_TRUE(ev[52].image.has_value());
  EXPECT_EQ(ev[52].image->device_path.size(), 138u);
  EXPECT_EQ(ev[52].image->image_length, 949424u);

  // EV_IPL strings from shim and GRUB.
  EXPECT_EQ(EventText(ev[53]), "MokList");
  EXPECT_EQ(EventText(ev[117]), "(hd3,gpt2)/vmlinuz-6.11.5-300.fc41.x86_64");
  EXPECT_THAT(EventText(ev[118]),
              ::testing::StartsWith("kernel_cmdline: (hd3,gpt2)/vmlinuz"));
  EXPECT_EQ(EventText(ev[41]), "Calling EFI Application from Boot Option");
  EXPECT_EQ(ev[120].offset + 4 * 4 + 20 + 32 + 4 + ev[120].data.size(),
            49088u);  // the last event ends the file

  int separators = 0;
  for (const Event& e : ev) separators += e.type == kEvSeparator;
  EXPECT_EQ(separators, 8);
  for (uint32_t p : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14}) {
    EXPECT_TRUE(log->Measures(p)) << p;
  }
  EXPECT_FALSE(log->Measures(10));
}

TEST(EventLogTest, ParsesSecureBootLog) {
  auto log = EventLog::Parse(
      ReadFile(std::string(kDir) +
               "create-mb-policy/binary_bios_measurements-secureboot"));
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->events().size(), 99u);
  EXPECT_EQ(log->banks(), std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA256});
  EXPECT_EQ(log->pcr0_locality(), 0);
  const Event& sb = log->events()[4];
  EXPECT_EQ(sb.variable->name, "SecureBoot");
  EXPECT_EQ(sb.variable->data, std::string(1, '\1'));
  const Event& kernel = log->events()[93];
  EXPECT_EQ(kernel.type, kEvEfiBootServicesApplication);
  EXPECT_TRUE(kernel.image->device_path.empty());
  EXPECT_EQ(Hex(*kernel.DigestFor(TPM2_ALG_SHA256)),
            "219b8b53c54951cd07a580622e384391bbd9e113448a12ad319903fcafb81e79");
}

TEST(EventLogTest, ParsesBase64FixtureOnceDecoded) {
  std::string b64 = ReadFile(std::string(kDir) + "mb_log.b64");
  std::string bin;
  ASSERT_TRUE(absl::Base64Unescape(b64, &bin));
  auto log = EventLog::Parse(bin);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->events().size(), 102u);
}

TEST(EventLogTest, EmptyLogIsAClearError) {
  auto log = EventLog::Parse(ReadFile(
      std::string(kDir) + "create-mb-policy/binary_bios_measurements-empty"));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(log.status().message(), HasSubstr("empty"));
  EXPECT_THAT(log.status().message(), HasSubstr("byte offset 0"));
}

TEST(EventLogTest, BogusLogIsAClearError) {
  auto log = EventLog::Parse(ReadFile(
      std::string(kDir) + "create-mb-policy/binary_bios_measurements-bogus"));
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("event 0"));
  EXPECT_THAT(log.status().message(), HasSubstr("byte offset 0"));
  EXPECT_THAT(log.status().message(), HasSubstr("not a crypto-agile"));
}

TEST(EventLogTest, EventTypeLabels) {
  EXPECT_EQ(EventTypeLabel(kEvEfiVariableAuthority),
            "EV_EFI_VARIABLE_AUTHORITY");
  EXPECT_EQ(EventTypeLabel(0x1234), "EV_UNKNOWN_0x00001234");
}

}  // namespace
}  // namespace candor::eventlog
