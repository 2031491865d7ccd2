// Golden bytes for the TCG / UEFI encoders, and each structure read back by
// lib/eventlog's independent decoders.
#include "tools/bootlog/tcg_encode.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/device_path.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/guid.h"
#include "lib/eventlog/uefi.h"
#include "lib/ima/hex.h"

namespace candor::tools {
namespace {

using eventlog::Guid;

std::string Hex(absl::string_view b) { return ima::HexEncode(b); }

TEST(TcgEncodeTest, SpecIdEventGoldenBytes) {
  EXPECT_EQ(Hex(SpecIdEvent({TPM2_ALG_SHA1, TPM2_ALG_SHA256})),
            "00000000"                                  // PCRIndex
            "03000000"                                  // EV_NO_ACTION
            "0000000000000000000000000000000000000000"  // digest
            "25000000"                                  // EventSize 37
            "53706563204944204576656e74303300"          // "Spec ID Event03\0"
            "00000000"                                  // platformClass
            "00020002"  // version 2.0, errata 0, uintnSize 2
            "02000000"  // numberOfAlgorithms
            "04001400"  // sha1, 20
            "0b002000"  // sha256, 32
            "00");      // vendorInfoSize
}

TEST(TcgEncodeTest, UefiVariableDataGoldenBytes) {
  EXPECT_EQ(Hex(UefiVariableData(eventlog::EfiGlobalVariableGuid(),
                                 "SecureBoot", std::string(1, '\1'))),
            "61dfe48bca93d211aa0d00e098032b8c"          // EFI_GLOBAL_VARIABLE
            "0a00000000000000"                          // UnicodeNameLength 10
            "0100000000000000"                          // VariableDataLength 1
            "53006500630075007200650042006f006f007400"  // L"SecureBoot"
            "01");
}

TEST(TcgEncodeTest, PcrEvent2GoldenBytes) {
  tpm::PcrDigests d = {{TPM2_ALG_SHA1, std::string(20, '\x11')},
                       {TPM2_ALG_SHA256, std::string(32, '\x22')}};
  EXPECT_EQ(Hex(PcrEvent2(7, 4, {TPM2_ALG_SHA1, TPM2_ALG_SHA256}, d,
                          std::string(4, '\0'))),
            "07000000"
            "04000000"
            "02000000"
            "0400" +
                std::string(40, '1') + "0b00" + std::string(64, '2') +
                "04000000"
                "00000000");
}

TEST(TcgEncodeTest, SignatureListGoldenBytesAndDecode) {
  const Guid owner = *Guid::Parse("77fa9abd-0359-4d32-bd60-28f4e78f784b");
  std::string list = SignatureList(
      eventlog::EfiCertSha256Guid(),
      {{owner, std::string(32, '\xaa')}, {owner, std::string(32, '\xbb')}});
  EXPECT_EQ(Hex(list.substr(0, 28)),
            "2616c4c14c509240aca941f936934328"  // EFI_CERT_SHA256_GUID
            "7c000000"                          // 28 + 2 * 48
            "00000000"                          // header size
            "30000000");                        // 16 + 32
  auto lists = eventlog::ParseSignatureLists(list + list);
  ASSERT_TRUE(lists.ok()) << lists.status();
  ASSERT_EQ(lists->size(), 2u);
  ASSERT_EQ((*lists)[0].signatures.size(), 2u);
  EXPECT_EQ((*lists)[0].signatures[1].owner, owner);
  EXPECT_EQ((*lists)[0].signatures[1].data, std::string(32, '\xbb'));
  EXPECT_EQ(SignatureList(eventlog::EfiCertX509Guid(), {}).size(), 28u);
}

TEST(TcgEncodeTest, DevicePathsDecode) {
  const Guid part = *Guid::Parse("52d48ea8-529a-c445-91ce-3da7707caaab");
  std::string path = DpPciRoot(0) + DpPci(1, 1) +
                     DpHardDriveGpt(1, 2048, 1048576, part) +
                     DpFile("\\EFI\\debian\\shimx64.efi") + DpEnd();
  auto text = eventlog::DevicePathToText(path);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "PciRoot(0x0)/Pci(0x1,0x1)/HD(1,GPT,52d48ea8-529a-c445-91ce-"
            "3da7707caaab,0x800,0x100000)/File(\\EFI\\debian\\shimx64.efi)");
  EXPECT_EQ(Hex(DpEnd()), "7fff0400");
  EXPECT_EQ(Hex(DpFile("\\a")), "04040a005c0061000000");  // 4 + L"\\a" + NUL
}

TEST(TcgEncodeTest, LoadOptionDecodes) {
  std::string dp = DpFile("\\EFI\\x.efi") + DpEnd();
  auto opt = eventlog::ParseLoadOption(LoadOption(1, "debian", dp, "opt"));
  ASSERT_TRUE(opt.ok()) << opt.status();
  EXPECT_EQ(opt->attributes, 1u);
  EXPECT_EQ(opt->description, "debian");
  EXPECT_EQ(opt->device_path, dp);
  EXPECT_EQ(opt->optional_data, "opt");
}

TEST(TcgEncodeTest, GptDecodesWithValidCrcs) {
  const Guid disk = *Guid::Parse("11111111-2222-4333-8444-555555555555");
  GptPartitionSpec esp{eventlog::EfiGlobalVariableGuid(),
                       disk,
                       2048,
                       4095,
                       0,
                       "EFI System Partition"};
  std::string data = GptEventData(disk, {esp, esp}, 1 << 20);
  EXPECT_EQ(data.size(), 92u + 8u + 2u * 128u);
  auto gpt = eventlog::ParseGpt(data);
  ASSERT_TRUE(gpt.ok()) << gpt.status();
  EXPECT_EQ(gpt->disk, disk);
  ASSERT_EQ(gpt->partitions.size(), 2u);
  EXPECT_EQ(gpt->partitions[0].name, "EFI System Partition");
  EXPECT_EQ(gpt->partitions[0].last_lba, 4095u);
  // HeaderCRC32 is the CRC of the header with the field zeroed.
  std::string header = data.substr(0, 92);
  const std::string crc = header.substr(16, 4);
  header.replace(16, 4, std::string(4, '\0'));
  EXPECT_EQ(crc, Le32(Crc32(header)));
}

TEST(TcgEncodeTest, Primitives) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Hex(Le64(0x0102030405060708ull)), "0807060504030201");
  EXPECT_EQ(Hex(Utf16("A", true)), "41000000");
  EXPECT_EQ(Hex(FirmwareBlob(1, 2)),
            "0100000000000000"
            "0200000000000000");
  EXPECT_EQ(Hex(ImageLoadEvent(1, 2, 3, "xy")),
            "0100000000000000"
            "0200000000000000"
            "0300000000000000"
            "0200000000000000"
            "7879");
}

}  // namespace
}  // namespace candor::tools
