// File: lib/eventlog/event_types.h
//
// Event types of the TCG PC Client Platform Firmware Profile (PFP) event log
// (section 10.4.1, "Event Types") and their names as tpm2_eventlog prints
// them ("EV_SEPARATOR", "EV_EFI_BOOT_SERVICES_APPLICATION", ...). Pure
// constants and lookups: thread-safe, no allocation except the label.
#ifndef CANDOR_LIB_EVENTLOG_EVENT_TYPES_H_
#define CANDOR_LIB_EVENTLOG_EVENT_TYPES_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace candor::eventlog {

inline constexpr uint32_t kEvPrebootCert = 0x00000000;
inline constexpr uint32_t kEvPostCode = 0x00000001;
inline constexpr uint32_t kEvUnused = 0x00000002;
inline constexpr uint32_t kEvNoAction = 0x00000003;
inline constexpr uint32_t kEvSeparator = 0x00000004;
inline constexpr uint32_t kEvAction = 0x00000005;
inline constexpr uint32_t kEvEventTag = 0x00000006;
inline constexpr uint32_t kEvSCrtmContents = 0x00000007;
inline constexpr uint32_t kEvSCrtmVersion = 0x00000008;
inline constexpr uint32_t kEvCpuMicrocode = 0x00000009;
inline constexpr uint32_t kEvPlatformConfigFlags = 0x0000000A;
inline constexpr uint32_t kEvTableOfDevices = 0x0000000B;
inline constexpr uint32_t kEvCompactHash = 0x0000000C;
inline constexpr uint32_t kEvIpl = 0x0000000D;
inline constexpr uint32_t kEvIplPartitionData = 0x0000000E;
inline constexpr uint32_t kEvNonhostCode = 0x0000000F;
inline constexpr uint32_t kEvNonhostConfig = 0x00000010;
inline constexpr uint32_t kEvNonhostInfo = 0x00000011;
inline constexpr uint32_t kEvOmitBootDeviceEvents = 0x00000012;

inline constexpr uint32_t kEvEfiEventBase = 0x80000000;
inline constexpr uint32_t kEvEfiVariableDriverConfig = 0x80000001;
inline constexpr uint32_t kEvEfiVariableBoot = 0x80000002;
inline constexpr uint32_t kEvEfiBootServicesApplication = 0x80000003;
inline constexpr uint32_t kEvEfiBootServicesDriver = 0x80000004;
inline constexpr uint32_t kEvEfiRuntimeServicesDriver = 0x80000005;
inline constexpr uint32_t kEvEfiGptEvent = 0x80000006;
inline constexpr uint32_t kEvEfiAction = 0x80000007;
inline constexpr uint32_t kEvEfiPlatformFirmwareBlob = 0x80000008;
inline constexpr uint32_t kEvEfiHandoffTables = 0x80000009;
inline constexpr uint32_t kEvEfiPlatformFirmwareBlob2 = 0x8000000A;
inline constexpr uint32_t kEvEfiHandoffTables2 = 0x8000000B;
inline constexpr uint32_t kEvEfiVariableBoot2 = 0x8000000C;
inline constexpr uint32_t kEvEfiHcrtmEvent = 0x80000010;
inline constexpr uint32_t kEvEfiVariableAuthority = 0x800000E0;
inline constexpr uint32_t kEvEfiSpdmFirmwareBlob = 0x800000E1;
inline constexpr uint32_t kEvEfiSpdmFirmwareConfig = 0x800000E2;
inline constexpr uint32_t kEvEfiSpdmDevicePolicy = 0x800000E3;
inline constexpr uint32_t kEvEfiSpdmDeviceAuthority = 0x800000E4;

// "EV_SEPARATOR" etc.; empty for a type the PFP does not define.
absl::string_view EventTypeName(uint32_t type);

// EventTypeName, or "EV_UNKNOWN_0x%08x" for an undefined type.
std::string EventTypeLabel(uint32_t type);

// True for the three types whose data is a UEFI_VARIABLE_DATA (PFP 10.2.6).
bool IsVariableEvent(uint32_t type);

// True for the three types whose data is a UEFI_IMAGE_LOAD_EVENT.
bool IsImageLoadEvent(uint32_t type);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_EVENT_TYPES_H_
