// File: lib/eventlog/uefi.h
//
// On-demand decoders for UEFI structures inside event data (UEFI 2.10):
// EFI_SIGNATURE_LIST (32.4.1; PK, KEK, db, dbx, MokList), BootOrder and
// EFI_LOAD_OPTION (3.1.3; Boot####), UEFI_GPT_DATA (PFP 10.2.7: the GPT
// header and partition entries) and UEFI_HANDOFF_TABLE_POINTERS (PFP
// 10.2.5). Each returns INVALID_ARGUMENT naming the byte offset within the
// data when it does not fit its structure; none reads out of bounds. Pure
// functions; thread-safe.
#ifndef CANDOR_LIB_EVENTLOG_UEFI_H_
#define CANDOR_LIB_EVENTLOG_UEFI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/eventlog/event_log.h"
#include "lib/eventlog/guid.h"

namespace candor::eventlog {

// EFI_SIGNATURE_DATA.
struct SignatureData {
  Guid owner;        // SignatureOwner
  std::string data;  // SignatureData: a DER certificate, a SHA-256, ...
};

// EFI_SIGNATURE_LIST.
struct SignatureList {
  Guid type;  // EFI_CERT_X509_GUID, EFI_CERT_SHA256_GUID, ...
  std::string header;
  std::vector<SignatureData> signatures;
};

// The signature lists making up a variable's data (empty data: none).
absl::StatusOr<std::vector<SignatureList>> ParseSignatureLists(
    absl::string_view data);

// BootOrder: u16 option numbers.
absl::StatusOr<std::vector<uint16_t>> ParseBootOrder(absl::string_view data);

// EFI_LOAD_OPTION.
struct LoadOption {
  uint32_t attributes = 0;  // bit 0: LOAD_OPTION_ACTIVE
  std::string description;  // UTF-8
  std::string device_path;  // raw FilePathList
  std::string optional_data;
};
absl::StatusOr<LoadOption> ParseLoadOption(absl::string_view data);

struct GptPartition {
  Guid type;
  Guid unique;
  uint64_t first_lba = 0;
  uint64_t last_lba = 0;
  uint64_t attributes = 0;
  std::string name;  // UTF-8
};

struct GptData {
  Guid disk;
  std::vector<GptPartition> partitions;
};
absl::StatusOr<GptData> ParseGpt(absl::string_view data);

struct HandoffTable {
  Guid vendor;
  uint64_t address = 0;
};
absl::StatusOr<std::vector<HandoffTable>> ParseHandoffTables(
    absl::string_view data);

// The event's UEFI variable when it is `vendor`/`name`, else nullptr.
const UefiVariable* VariableNamed(const Event& event, const Guid& vendor,
                                  absl::string_view name);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_UEFI_H_
