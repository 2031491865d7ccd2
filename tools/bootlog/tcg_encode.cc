#include "tools/bootlog/tcg_encode.h"

#include "absl/strings/str_cat.h"

namespace candor::tools {
namespace {

constexpr uint32_t kEvNoAction = 3;
constexpr uint32_t kGptEntries = 128;
constexpr uint32_t kGptEntrySize = 128;

std::string Node(uint8_t type, uint8_t subtype, absl::string_view body) {
  return absl::StrCat(
      std::string{static_cast<char>(type), static_cast<char>(subtype)},
      Le16(static_cast<uint16_t>(4 + body.size())), body);
}

}  // namespace

std::string Le16(uint16_t v) {
  return std::string{static_cast<char>(v), static_cast<char>(v >> 8)};
}

std::string Le32(uint32_t v) {
  return absl::StrCat(Le16(static_cast<uint16_t>(v)),
                      Le16(static_cast<uint16_t>(v >> 16)));
}

std::string Le64(uint64_t v) {
  return absl::StrCat(Le32(static_cast<uint32_t>(v)),
                      Le32(static_cast<uint32_t>(v >> 32)));
}

std::string Utf16(absl::string_view ascii, bool nul) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  if (nul) out.append(2, '\0');
  return out;
}

std::string GuidBytes(const eventlog::Guid& g) {
  return std::string(g.bytes.begin(), g.bytes.end());
}

std::string SpecIdEvent(const std::vector<TPM2_ALG_ID>& banks) {
  std::string spec("Spec ID Event03", 16);  // with its NUL
  absl::StrAppend(&spec, Le32(0));          // platformClass: client
  spec.append({0, 2, 0, 2});  // version 2.0, errata 0, uintnSize 2 (64-bit)
  absl::StrAppend(&spec, Le32(static_cast<uint32_t>(banks.size())));
  for (TPM2_ALG_ID bank : banks) {
    absl::StrAppend(
        &spec, Le16(bank),
        Le16(static_cast<uint16_t>(tpm::BankDigestSize(bank).value_or(0))));
  }
  spec.push_back('\0');  // vendorInfoSize
  return absl::StrCat(Le32(0), Le32(kEvNoAction), std::string(20, '\0'),
                      Le32(static_cast<uint32_t>(spec.size())), spec);
}

std::string PcrEvent2(uint32_t pcr, uint32_t type,
                      const std::vector<TPM2_ALG_ID>& banks,
                      const tpm::PcrDigests& digests, absl::string_view data) {
  std::string out = absl::StrCat(Le32(pcr), Le32(type),
                                 Le32(static_cast<uint32_t>(banks.size())));
  for (TPM2_ALG_ID bank : banks) {
    absl::StrAppend(&out, Le16(bank), digests.at(bank));
  }
  absl::StrAppend(&out, Le32(static_cast<uint32_t>(data.size())), data);
  return out;
}

std::string UefiVariableData(const eventlog::Guid& vendor,
                             absl::string_view ascii_name,
                             absl::string_view data) {
  return absl::StrCat(GuidBytes(vendor), Le64(ascii_name.size()),
                      Le64(data.size()), Utf16(ascii_name), data);
}

std::string SignatureData(const eventlog::Guid& owner, absl::string_view data) {
  return absl::StrCat(GuidBytes(owner), data);
}

std::string SignatureList(
    const eventlog::Guid& type,
    const std::vector<std::pair<eventlog::Guid, std::string>>& sigs) {
  const uint32_t sig_size =
      sigs.empty() ? 16 : static_cast<uint32_t>(16 + sigs[0].second.size());
  std::string body;
  for (const auto& [owner, data] : sigs) {
    absl::StrAppend(&body, SignatureData(owner, data));
  }
  return absl::StrCat(GuidBytes(type),
                      Le32(static_cast<uint32_t>(28 + body.size())),
                      Le32(0),  // SignatureHeaderSize
                      Le32(sig_size), body);
}

std::string DpPciRoot(uint32_t uid) {
  return Node(2, 1, absl::StrCat(Le32(0x0A0341D0), Le32(uid)));  // PNP0A03
}

std::string DpPci(uint8_t device, uint8_t function) {
  return Node(
      1, 1,
      std::string{static_cast<char>(function), static_cast<char>(device)});
}

std::string DpHardDriveGpt(uint32_t partition, uint64_t start_lba,
                           uint64_t size_lba, const eventlog::Guid& part_guid) {
  return Node(4, 1,
              absl::StrCat(Le32(partition), Le64(start_lba), Le64(size_lba),
                           GuidBytes(part_guid),
                           std::string{2, 2}));  // GPT, GUID signature
}

std::string DpFile(absl::string_view ascii_path) {
  return Node(4, 4, Utf16(ascii_path, /*nul=*/true));
}

std::string DpEnd() { return Node(0x7f, 0xff, ""); }

std::string ImageLoadEvent(uint64_t location, uint64_t length,
                           uint64_t link_time_address,
                           absl::string_view device_path) {
  return absl::StrCat(Le64(location), Le64(length), Le64(link_time_address),
                      Le64(device_path.size()), device_path);
}

std::string LoadOption(uint32_t attributes, absl::string_view description,
                       absl::string_view device_path,
                       absl::string_view optional_data) {
  return absl::StrCat(
      Le32(attributes), Le16(static_cast<uint16_t>(device_path.size())),
      Utf16(description, /*nul=*/true), device_path, optional_data);
}

std::string FirmwareBlob(uint64_t base, uint64_t length) {
  return absl::StrCat(Le64(base), Le64(length));
}

std::string GptEventData(const eventlog::Guid& disk,
                         const std::vector<GptPartitionSpec>& partitions,
                         uint64_t disk_lbas) {
  std::string entries;
  for (const GptPartitionSpec& p : partitions) {
    std::string name = Utf16(p.name);
    name.resize(72, '\0');
    absl::StrAppend(&entries, GuidBytes(p.type), GuidBytes(p.unique),
                    Le64(p.first_lba), Le64(p.last_lba), Le64(p.attributes),
                    name);
  }
  // The CRC covers the whole on-disk array (unused entries are zeros).
  std::string array = entries;
  array.resize(kGptEntries * kGptEntrySize, '\0');
  const uint64_t array_lbas = kGptEntries * kGptEntrySize / 512;
  std::string header = absl::StrCat(
      "EFI PART", Le32(0x00010000), Le32(92), Le32(0) /* HeaderCRC32 */,
      Le32(0), Le64(1), Le64(disk_lbas - 1), Le64(2 + array_lbas),
      Le64(disk_lbas - 2 - array_lbas), GuidBytes(disk), Le64(2),
      Le32(kGptEntries), Le32(kGptEntrySize), Le32(Crc32(array)));
  header.replace(16, 4, Le32(Crc32(header)));
  return absl::StrCat(header, Le64(partitions.size()), entries);
}

uint32_t Crc32(absl::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) {
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

}  // namespace candor::tools
