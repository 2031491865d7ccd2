// File: lib/eventlog/guid.h
//
// EFI_GUID values as found in UEFI event data (UEFI 2.10 appendix A): 16
// bytes whose first three fields (Data1 u32, Data2 u16, Data3 u16) are
// little-endian. ToString() prints the registry form that UEFI, efivar and
// tpm2-tools >= 5.2 print ("8be4df61-93ca-11d2-aa0d-00e098032b8c");
// ToRawOrderString() prints the 16 bytes in storage order, which is how
// tpm2-tools < 5.2 printed GUIDs and how some Keylime reference states spell
// SignatureOwner ("61dfe48b-ca93-d211-...", keylime#1003). Value type,
// thread-compatible.
#ifndef CANDOR_LIB_EVENTLOG_GUID_H_
#define CANDOR_LIB_EVENTLOG_GUID_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::eventlog {

struct Guid {
  std::array<uint8_t, 16> bytes{};  // storage order, as in the log

  // The first 16 bytes of `b` (zero-filled when shorter).
  static Guid FromBytes(absl::string_view b);
  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex, any case) in registry
  // form. INVALID_ARGUMENT naming the text otherwise.
  static absl::StatusOr<Guid> Parse(absl::string_view text);

  std::string ToString() const;          // registry form, lower case
  std::string ToRawOrderString() const;  // storage order, lower case
  // The GUID whose registry form is this GUID's raw-order form (swaps the
  // byte order of the first three fields).
  Guid ByteSwapped() const;

  bool operator==(const Guid& o) const { return bytes == o.bytes; }
  bool operator!=(const Guid& o) const { return bytes != o.bytes; }
  bool operator<(const Guid& o) const { return bytes < o.bytes; }
};

// Well-known GUIDs (UEFI 2.10; shim).
Guid EfiGlobalVariableGuid();         // 8be4df61-93ca-11d2-aa0d-00e098032b8c
Guid EfiImageSecurityDatabaseGuid();  // d719b2cb-3d3a-4596-a3bc-dad00e67656f
Guid EfiCertX509Guid();               // a5c059a1-94e4-4aa7-87b5-ab155c2bf072
Guid EfiCertSha256Guid();             // c1c41626-504c-4092-aca9-41f936934328
Guid ShimLockGuid();                  // 605dab50-e046-4300-abb6-3dd810dd8b23

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_GUID_H_
