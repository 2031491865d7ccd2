// File: tools/bootlog/tcg_encode.h
//
// Byte encoders for a TCG PC Client crypto-agile UEFI event log (TCG PC
// Client Platform Firmware Profile, PFP, 10.2-10.4; UEFI 2.10). Integers are
// little-endian; GUIDs are 16 bytes in storage order (lib/eventlog/guid.h);
// UCS-2 strings are UTF-16LE. Written independently of lib/eventlog's parser
// so tests can check each against the other and against tpm2_eventlog.
//
//   SpecIdEvent   legacy TCG_PCR_EVENT: PCR 0, EV_NO_ACTION, 20 zero bytes,
//                 TCG_EfiSpecIDEvent "Spec ID Event03" (platform class 0,
//                 version 2.0 errata 0, uintnSize 2 = 64-bit UINTN, one
//                 {algorithmId, digestSize} per bank, no vendor info)
//   PcrEvent2     TCG_PCR_EVENT2: pcr, type, TPML_DIGEST_VALUES (count, then
//                 {hashAlg u16, digest} in `banks` order), size, data
//   UefiVariableData   UEFI_VARIABLE_DATA: GUID, u64 name length (chars),
//                 u64 data length, UTF-16 name (no NUL), data
//   SignatureList      EFI_SIGNATURE_LIST of same-size EFI_SIGNATURE_DATA
//   ImageLoadEvent     UEFI_IMAGE_LOAD_EVENT
//   device path nodes  PciRoot, Pci, HD (GPT), File, End
//   LoadOption         EFI_LOAD_OPTION (Boot####)
//   GptEventData       UEFI_GPT_DATA: EFI_PARTITION_TABLE_HEADER (92 bytes,
//                 real CRC32s), u64 count, 128-byte partition entries
// Pure functions; thread-safe. Inputs come from the generator itself, so
// they cannot fail (sizes are checked by the callers' types).
#ifndef CANDOR_TOOLS_BOOTLOG_TCG_ENCODE_H_
#define CANDOR_TOOLS_BOOTLOG_TCG_ENCODE_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/eventlog/guid.h"
#include "lib/tpm/pcr_values.h"

namespace candor::tools {

std::string Le16(uint16_t v);
std::string Le32(uint32_t v);
std::string Le64(uint64_t v);
// ASCII as UTF-16LE, optionally NUL-terminated.
std::string Utf16(absl::string_view ascii, bool nul = false);
std::string GuidBytes(const eventlog::Guid& g);

// The SpecID event for `banks` (each must have a digest size).
std::string SpecIdEvent(const std::vector<TPM2_ALG_ID>& banks);

// One TCG_PCR_EVENT2; `digests` must hold every bank of `banks`.
std::string PcrEvent2(uint32_t pcr, uint32_t type,
                      const std::vector<TPM2_ALG_ID>& banks,
                      const tpm::PcrDigests& digests, absl::string_view data);

std::string UefiVariableData(const eventlog::Guid& vendor,
                             absl::string_view ascii_name,
                             absl::string_view data);

// EFI_SIGNATURE_DATA: owner || data.
std::string SignatureData(const eventlog::Guid& owner, absl::string_view data);

// EFI_SIGNATURE_LIST of `type` holding (owner, data) signatures that all
// have the same data size (an empty list when `sigs` is empty).
std::string SignatureList(
    const eventlog::Guid& type,
    const std::vector<std::pair<eventlog::Guid, std::string>>& sigs);

// Device path nodes (UEFI 10.3).
std::string DpPciRoot(uint32_t uid);
std::string DpPci(uint8_t device, uint8_t function);
std::string DpHardDriveGpt(uint32_t partition, uint64_t start_lba,
                           uint64_t size_lba, const eventlog::Guid& part_guid);
std::string DpFile(absl::string_view ascii_path);  // "\EFI\debian\shimx64.efi"
std::string DpEnd();

std::string ImageLoadEvent(uint64_t location, uint64_t length,
                           uint64_t link_time_address,
                           absl::string_view device_path);

std::string LoadOption(uint32_t attributes, absl::string_view description,
                       absl::string_view device_path,
                       absl::string_view optional_data);

// UEFI_PLATFORM_FIRMWARE_BLOB: base, length.
std::string FirmwareBlob(uint64_t base, uint64_t length);

struct GptPartitionSpec {
  eventlog::Guid type;
  eventlog::Guid unique;
  uint64_t first_lba = 0;
  uint64_t last_lba = 0;
  uint64_t attributes = 0;
  std::string name;  // ASCII, at most 36 characters
};

// UEFI_GPT_DATA of a disk of `disk_lbas` 512-byte blocks with the standard
// 128-entry partition array at LBA 2.
std::string GptEventData(const eventlog::Guid& disk,
                         const std::vector<GptPartitionSpec>& partitions,
                         uint64_t disk_lbas);

// CRC-32 (IEEE 802.3, as UEFI uses for GPT headers).
uint32_t Crc32(absl::string_view data);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_BOOTLOG_TCG_ENCODE_H_
