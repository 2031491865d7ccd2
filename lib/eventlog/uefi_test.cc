#include "lib/eventlog/uefi.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/device_path.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/testing/log_builder.h"

namespace candor::eventlog {
namespace {

using ::testing::HasSubstr;

EventLog Fixture(const char* name) {
  std::ifstream in(
      std::string("tests/testdata/keylime/create-mb-policy/") + name,
      std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  auto log = EventLog::Parse(ss.str());
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : EventLog();
}

TEST(UefiTest, SignatureListsOfRealKeys) {
  EventLog log = Fixture("binary_bios_measurements-secureboot");
  const Event& pk = log.events()[5];
  ASSERT_NE(VariableNamed(pk, EfiGlobalVariableGuid(), "PK"), nullptr);
  auto lists = ParseSignatureLists(pk.variable->data);
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ((*lists)[0].type, EfiCertX509Guid());
  ASSERT_EQ((*lists)[0].signatures.size(), 1u);
  EXPECT_EQ((*lists)[0].signatures[0].owner.ToString(),
            "a0baa8a3-041d-48a8-bc87-c36d121b5e3d");
  EXPECT_EQ((*lists)[0].signatures[0].data.substr(0, 2), "\x30\x82");

  const Event& dbx = log.events()[8];
  auto dbx_lists = ParseSignatureLists(dbx.variable->data);
  ASSERT_TRUE(dbx_lists.ok()) << dbx_lists.status();
  EXPECT_EQ((*dbx_lists)[0].type, EfiCertSha256Guid());
  EXPECT_EQ((*dbx_lists)[0].signatures[0].owner.ToString(),
            "77fa9abd-0359-4d32-bd60-28f4e78f784b");
  EXPECT_EQ(absl::BytesToHexString((*dbx_lists)[0].signatures[0].data),
            "80b4d96931bf0d02fd91a61e19d14f1da452e66db2408ca8604d411f92659f0a");
}

TEST(UefiTest, BootVariables) {
  EventLog log = Fixture("binary_bios_measurements");
  auto order = ParseBootOrder(log.events()[27].variable->data);
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->size(), 13u);
  EXPECT_EQ((*order)[0], 0x0000);
  EXPECT_EQ((*order)[1], 0x001f);
  auto opt = ParseLoadOption(log.events()[28].variable->data);
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(opt->attributes & 1, 1u);
  EXPECT_EQ(opt->description, "Fedora");
  auto text = DevicePathToText(opt->device_path);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "HD(1,GPT,b8f6bee9-bc10-4c72-b34a-6db8fd8f772c,0x800,0x80000)/"
            "File(\\EFI\\fedora\\shimx64.efi)");
}

TEST(UefiTest, ImageDevicePaths) {
  EventLog log = Fixture("binary_bios_measurements");
  const Event& fw_app = log.events()[26];
  EXPECT_TRUE(IsFirmwareVolumePath(fw_app.image->device_path));
  auto fw_text = DevicePathToText(fw_app.image->device_path);
  ASSERT_TRUE(fw_text.ok());
  EXPECT_THAT(*fw_text, ::testing::MatchesRegex("FvVol\\([-0-9a-f]{36}\\)/"
                                                "FvFile\\([-0-9a-f]{36}\\)"));
  const Event& shim = log.events()[52];
  EXPECT_FALSE(IsFirmwareVolumePath(shim.image->device_path));
  auto shim_text = DevicePathToText(shim.image->device_path);
  ASSERT_TRUE(shim_text.ok()) << shim_text.status();
  EXPECT_THAT(*shim_text, ::testing::StartsWith("PciRoot(0x0)/Pci("));
  EXPECT_THAT(*shim_text, HasSubstr("/File(\\EFI\\fedora\\shimx64.efi)"));
  auto grub_text = DevicePathToText(log.events()[57].image->device_path);
  ASSERT_TRUE(grub_text.ok());
  EXPECT_EQ(*grub_text, "File(\\EFI\\fedora\\grubx64.efi)");
}

TEST(UefiTest, Gpt) {
  EventLog log = Fixture("binary_bios_measurements");
  auto gpt = ParseGpt(log.events()[51].data);
  ASSERT_TRUE(gpt.ok()) << gpt.status();
  EXPECT_EQ(gpt->partitions.size(), 3u);
  EXPECT_EQ(gpt->partitions[0].type.ToString(),
            "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");  // EFI system partition
}

TEST(UefiTest, HandoffTables) {
  EventLog log = Fixture("binary_bios_measurements");
  auto tables = ParseHandoffTables(log.events()[49].data);
  ASSERT_TRUE(tables.ok()) << tables.status();
  EXPECT_EQ(tables->size(), 1u);
}

TEST(UefiTest, MalformedStructuresAreErrorsNotCrashes) {
  EXPECT_FALSE(ParseSignatureLists(std::string(27, 'x')).ok());
  std::string list = testing::SignatureList(EfiCertSha256Guid(),
                                            {{Guid{}, std::string(32, 'a')}});
  EXPECT_TRUE(ParseSignatureLists(list).ok());
  for (size_t n = 1; n < list.size(); ++n) {
    EXPECT_FALSE(ParseSignatureLists(list.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(ParseBootOrder("abc").ok());
  EXPECT_FALSE(ParseLoadOption(std::string("\1\0\0\0\4\0A\0", 8)).ok());
  EXPECT_FALSE(ParseGpt("EFI PART").ok());
  EXPECT_FALSE(ParseHandoffTables(testing::U64(1000)).ok());
  // Device path nodes shorter than their header, or running past the end.
  EXPECT_FALSE(DevicePathToText(std::string("\4\4\2\0", 4)).ok());
  EXPECT_FALSE(DevicePathToText(std::string("\4\4\xff\0", 4)).ok());
  auto text = DevicePathToText(testing::FileDevicePath("\\a.efi"));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "File(\\a.efi)");
  EXPECT_EQ(*DevicePathToText(std::string("\x55\x01\x05\x00\xab", 5)),
            "Path(85,1,ab)");
}

TEST(GuidTest, TextForms) {
  Guid g = EfiGlobalVariableGuid();
  EXPECT_EQ(g.ToString(), "8be4df61-93ca-11d2-aa0d-00e098032b8c");
  EXPECT_EQ(g.ToRawOrderString(), "61dfe48b-ca93-d211-aa0d-00e098032b8c");
  EXPECT_EQ(*Guid::Parse("8BE4DF61-93CA-11D2-AA0D-00E098032B8C"), g);
  EXPECT_EQ(g.ByteSwapped().ByteSwapped(), g);
  EXPECT_FALSE(Guid::Parse("8be4df61-93ca-11d2-aa0d-00e098032b8").ok());
  EXPECT_FALSE(Guid::Parse("8be4df61+93ca-11d2-aa0d-00e098032b8c").ok());
  EXPECT_FALSE(Guid::Parse("8be4df61-93ca-11d2-aa0d-00e098032bxc").ok());
}

}  // namespace
}  // namespace candor::eventlog
