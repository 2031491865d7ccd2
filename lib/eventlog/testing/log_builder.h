// File: lib/eventlog/testing/log_builder.h
//
// Test-only: builds TCG crypto-agile UEFI event logs byte by byte, for unit
// tests, adversarial tests and fuzz seeds. By default every event's digest in
// each bank is H_bank(data) (or of the bytes given as `hashed`), which is
// what firmware does for the types whose digest covers their data. Knobs let
// a test break any field (digest sizes, counts, sizes) on purpose.
//
//   std::string log = LogBuilder({TPM2_ALG_SHA1, TPM2_ALG_SHA256})
//                         .Add(0, kEvSCrtmVersion, Utf16("1.0"))
//                         .Add(0, kEvSeparator, std::string(4, '\0'))
//                         .Build();
#ifndef CANDOR_LIB_EVENTLOG_TESTING_LOG_BUILDER_H_
#define CANDOR_LIB_EVENTLOG_TESTING_LOG_BUILDER_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "lib/eventlog/guid.h"

namespace candor::eventlog::testing {

class LogBuilder {
 public:
  explicit LogBuilder(std::vector<TPM2_ALG_ID> banks = {TPM2_ALG_SHA1,
                                                        TPM2_ALG_SHA256});

  // SpecID knobs (defaults: the right sizes, uintnSize 2).
  LogBuilder& SpecIdDigestSize(TPM2_ALG_ID bank, uint16_t size);
  LogBuilder& SpecIdUintnSize(uint8_t size);

  // An event whose digests are H_bank(data).
  LogBuilder& Add(uint32_t pcr, uint32_t type, absl::string_view data);
  // An event whose digests are H_bank(hashed).
  LogBuilder& AddHashed(uint32_t pcr, uint32_t type, absl::string_view data,
                        absl::string_view hashed);
  // An event with the given raw digests (one per entry, in map order).
  LogBuilder& AddWithDigests(uint32_t pcr, uint32_t type,
                             absl::string_view data,
                             const std::map<TPM2_ALG_ID, std::string>& digests);
  // Arbitrary bytes after the events built so far.
  LogBuilder& AddRaw(absl::string_view bytes);

  std::string Build() const;

 private:
  std::vector<TPM2_ALG_ID> banks_;
  std::map<TPM2_ALG_ID, uint16_t> size_override_;
  uint8_t uintn_size_ = 2;
  std::string events_;
};

// Little-endian integers.
std::string U16(uint16_t v);
std::string U32(uint32_t v);
std::string U64(uint64_t v);
// ASCII as UTF-16LE, without a terminator.
std::string Utf16(absl::string_view ascii);
// H_bank(data), raw.
std::string HashOf(TPM2_ALG_ID bank, absl::string_view data);

// UEFI_VARIABLE_DATA.
std::string VariableData(const Guid& vendor, absl::string_view ascii_name,
                         absl::string_view data);
// EFI_SIGNATURE_LIST of same-sized signatures.
std::string SignatureList(
    const Guid& type, const std::vector<std::pair<Guid, std::string>>& sigs);
// A device path of one File() node and the End node.
std::string FileDevicePath(absl::string_view ascii_path);
// A device path of FvVol(guid)/FvFile(guid) and the End node.
std::string FirmwareVolumeDevicePath(const Guid& volume, const Guid& file);
// UEFI_IMAGE_LOAD_EVENT.
std::string ImageLoadData(absl::string_view device_path,
                          uint64_t image_length = 4096);
// The StartupLocality EV_NO_ACTION data.
std::string StartupLocalityData(uint8_t locality);

}  // namespace candor::eventlog::testing

#endif  // CANDOR_LIB_EVENTLOG_TESTING_LOG_BUILDER_H_
