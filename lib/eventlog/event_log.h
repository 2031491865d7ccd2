// File: lib/eventlog/event_log.h
//
// The TCG PC Client crypto-agile UEFI event log (TCG PC Client Platform
// Firmware Profile, PFP, section 10): the log the kernel exposes as
// /sys/kernel/security/tpm0/binary_bios_measurements and the agent sends as
// Evidence.boot_log.
//
// Layout: the first event is a legacy TCG_PCR_EVENT (SHA-1 format: PCR index,
// type, 20-byte digest, size, data) of type EV_NO_ACTION whose data is the
// TCG_EfiSpecIDEvent "Spec ID Event03" (PFP 10.4.5.1): the banks the log
// carries and their digest sizes. Every later event is a TCG_PCR_EVENT2
// (PCR index, type, TPML_DIGEST_VALUES with one digest per SpecID bank, size,
// data). Integers are little-endian.
//
// EventLog::Parse is strict and bounds-checked: any structural problem is an
// INVALID_ARGUMENT status naming the event number (the SpecID event is 0, as
// tpm2_eventlog counts), the byte offset and what was wrong; it never reads
// out of bounds, whatever the input. Besides the header it decodes, and
// rejects when malformed, the fixed layouts the PFP defines for:
//   - EV_EFI_VARIABLE_DRIVER_CONFIG / _BOOT / _BOOT2 / _AUTHORITY:
//     UEFI_VARIABLE_DATA (GUID, UTF-16 name, data)       -> Event::variable
//   - EV_EFI_BOOT_SERVICES_APPLICATION / _DRIVER, EV_EFI_RUNTIME_SERVICES_
//     DRIVER: UEFI_IMAGE_LOAD_EVENT (device path)        -> Event::image
//   - EV_EFI_PLATFORM_FIRMWARE_BLOB(2)                    -> Event::blob
//   - EV_NO_ACTION "StartupLocality" on PCR 0            -> startup locality
// Everything else (signature lists, load options, device path text, GPT) is
// decoded on demand by uefi.h and device_path.h, never failing the parse.
//
// Ownership: an EventLog owns copies of all bytes it exposes. Immutable after
// Parse, so const access is thread-safe.
#ifndef CANDOR_LIB_EVENTLOG_EVENT_LOG_H_
#define CANDOR_LIB_EVENTLOG_EVENT_LOG_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/eventlog/guid.h"

namespace candor::eventlog {

// Limits on what Parse accepts (a real log is 20-500 KiB with < 1000 events).
inline constexpr size_t kMaxLogBytes = 64 << 20;
inline constexpr size_t kMaxEvents = 100000;
inline constexpr size_t kMaxAlgorithms = 8;   // banks in the SpecID
inline constexpr size_t kMaxDigestSize = 64;  // bytes, any bank
inline constexpr uint32_t kMaxPcrIndex = 23;  // PC Client: PCRs 0-23

// One bank of the SpecID event.
struct SpecIdAlgorithm {
  TPM2_ALG_ID bank = 0;
  uint16_t digest_size = 0;
};

// TCG_EfiSpecIDEvent (PFP 10.4.5.1).
struct SpecId {
  uint32_t platform_class = 0;
  uint8_t spec_version_minor = 0;
  uint8_t spec_version_major = 0;
  uint8_t spec_errata = 0;
  uint8_t uintn_size = 0;  // 1: UINTN is 32 bits, 2: 64 bits
  std::vector<SpecIdAlgorithm> algorithms;
  std::string vendor_info;
};

struct EventDigest {
  TPM2_ALG_ID bank = 0;
  std::string value;  // raw, the bank's digest size
};

// UEFI_VARIABLE_DATA (PFP 10.2.6).
struct UefiVariable {
  Guid vendor;       // VariableName
  std::string name;  // UnicodeName as UTF-8 (invalid UTF-16 -> U+FFFD)
  std::string data;  // VariableData, raw
};

// UEFI_IMAGE_LOAD_EVENT (PFP 10.2.3).
struct ImageLoad {
  uint64_t image_location = 0;
  uint64_t image_length = 0;
  uint64_t link_time_address = 0;
  std::string device_path;  // raw EFI_DEVICE_PATH_PROTOCOL nodes
};

// UEFI_PLATFORM_FIRMWARE_BLOB / _BLOB2 (PFP 10.2.4).
struct FirmwareBlob {
  std::string description;  // BLOB2 only
  uint64_t base = 0;
  uint64_t length = 0;
};

struct Event {
  uint32_t number = 0;  // position in the log; the SpecID event is 0
  uint64_t offset = 0;  // byte offset of the event's header in the log
  uint32_t pcr = 0;
  uint32_t type = 0;
  // One per SpecID bank, in log order. The SpecID event itself has one SHA-1
  // digest of zeros.
  std::vector<EventDigest> digests;
  std::string data;  // the event data, raw
  std::optional<UefiVariable> variable;
  std::optional<ImageLoad> image;
  std::optional<FirmwareBlob> blob;
  std::optional<uint8_t> startup_locality;  // StartupLocality event

  // The digest of `bank`, or nullptr when the event has none.
  const std::string* DigestFor(TPM2_ALG_ID bank) const;
};

class EventLog {
 public:
  // Parses a whole log. INVALID_ARGUMENT (see the file comment) on anything
  // that is not a complete, well-formed crypto-agile log, including an empty
  // input, trailing bytes and SHA-1-only (TPM 1.2) logs.
  static absl::StatusOr<EventLog> Parse(absl::string_view bytes);

  const SpecId& spec_id() const { return spec_id_; }
  // All events, the SpecID event first.
  const std::vector<Event>& events() const { return events_; }
  // The SpecID banks, in SpecID order.
  std::vector<TPM2_ALG_ID> banks() const;
  // PCR 0's last byte before the first extension: the StartupLocality
  // event's locality, 4 after an H-CRTM event, else 0 (PFP 10.4.5.3).
  uint8_t pcr0_locality() const { return pcr0_locality_; }
  // True when at least one event other than EV_NO_ACTION extends `pcr`.
  bool Measures(uint32_t pcr) const;

 private:
  SpecId spec_id_;
  std::vector<Event> events_;
  uint8_t pcr0_locality_ = 0;
  uint32_t measured_mask_ = 0;  // bit i: PCR i is extended
};

// The event data as text: trailing NULs removed; UTF-16LE text (every odd
// byte zero, as firmware writes EV_S_CRTM_VERSION) converted to UTF-8. Bytes
// are returned as they are otherwise (callers escape for display).
std::string EventText(const Event& event);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_EVENT_LOG_H_
