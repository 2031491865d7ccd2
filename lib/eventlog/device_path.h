// File: lib/eventlog/device_path.h
//
// EFI_DEVICE_PATH_PROTOCOL (UEFI 2.10 section 10) as found in
// UEFI_IMAGE_LOAD_EVENT and EFI_LOAD_OPTION: a sequence of nodes (type u8,
// subtype u8, length u16 including the 4-byte header) ending with an End
// node. Text follows UEFI 10.6 / efivar (what efibootmgr and Keylime show):
//   PciRoot(0x0)/Pci(0x1d,0x0)/NVMe(0x1,00-25-38-...)/HD(1,GPT,<guid>,0x800,
//   0x12c000)/File(\EFI\fedora\shimx64.efi)
// Nodes Candor does not know print as Path(type,subtype,<hex data>).
// Device paths are not measured (only the image's Authenticode digest is),
// so the text is for display and heuristics, never for trust decisions.
// Pure functions; thread-safe; bounds-checked.
#ifndef CANDOR_LIB_EVENTLOG_DEVICE_PATH_H_
#define CANDOR_LIB_EVENTLOG_DEVICE_PATH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::eventlog {

inline constexpr size_t kMaxDevicePathNodes = 256;

// The text of a device path. An empty path gives "". INVALID_ARGUMENT naming
// the byte offset within the path when a node's length is below 4, runs past
// the data, or there are more than kMaxDevicePathNodes nodes.
absl::StatusOr<std::string> DevicePathToText(absl::string_view path);

// True when the path's first node is a PI firmware volume (FvVol) or
// firmware file (FvFile) node: an image from the platform's flash.
bool IsFirmwareVolumePath(absl::string_view path);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_DEVICE_PATH_H_
