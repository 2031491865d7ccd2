#include "lib/eventlog/device_path.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/eventlog/byte_reader.h"
#include "lib/eventlog/guid.h"
#include "lib/eventlog/text.h"

namespace candor::eventlog {
namespace {

using internal::ByteReader;

std::string Unknown(uint8_t type, uint8_t subtype, absl::string_view body) {
  return absl::StrFormat("Path(%u,%u,%s)", type, subtype,
                         absl::BytesToHexString(body));
}

std::string GuidAt(absl::string_view body, size_t at) {
  return Guid::FromBytes(body.substr(at, 16)).ToString();
}

std::string Hardware(uint8_t sub, absl::string_view body) {
  ByteReader r(body);
  uint8_t fn = 0, dev = 0;
  uint32_t ctrl = 0;
  if (sub == 1 && r.ReadU8(&fn) && r.ReadU8(&dev)) {
    return absl::StrFormat("Pci(0x%x,0x%x)", dev, fn);
  }
  if (sub == 4 && body.size() >= 16) return "VenHw(" + GuidAt(body, 0) + ")";
  if (sub == 5 && r.ReadU32(&ctrl)) return absl::StrFormat("Ctrl(0x%x)", ctrl);
  return Unknown(1, sub, body);
}

std::string Acpi(uint8_t sub, absl::string_view body) {
  ByteReader r(body);
  uint32_t hid = 0, uid = 0;
  if (sub == 1 && r.ReadU32(&hid) && r.ReadU32(&uid)) {
    if ((hid & 0xFFFF) == 0x41d0) {
      uint32_t pnp = hid >> 16;
      if (pnp == 0x0a03) return absl::StrFormat("PciRoot(0x%x)", uid);
      if (pnp == 0x0a08) return absl::StrFormat("PcieRoot(0x%x)", uid);
      return absl::StrFormat("Acpi(PNP%04X,0x%x)", pnp, uid);
    }
    return absl::StrFormat("Acpi(0x%08x,0x%x)", hid, uid);
  }
  if (sub == 3 && r.ReadU32(&hid)) return absl::StrFormat("AcpiAdr(0x%x)", hid);
  return Unknown(2, sub, body);
}

std::string Messaging(uint8_t sub, absl::string_view body) {
  ByteReader r(body);
  uint8_t a8 = 0, b8 = 0;
  uint16_t a = 0, b = 0, c = 0;
  uint32_t nsid = 0;
  absl::string_view bytes;
  switch (sub) {
    case 2:
      if (r.ReadU16(&a) && r.ReadU16(&b)) {
        return absl::StrFormat("Scsi(0x%x,0x%x)", a, b);
      }
      break;
    case 5:
      if (r.ReadU8(&a8) && r.ReadU8(&b8)) {
        return absl::StrFormat("USB(0x%x,0x%x)", a8, b8);
      }
      break;
    case 11:  // MAC: 32-byte address, interface type
      if (r.ReadBytes(32, &bytes) && r.ReadU8(&a8)) {
        size_t n = (a8 == 0 || a8 == 1) ? 6 : 32;
        return absl::StrFormat("MAC(%s,0x%x)",
                               absl::BytesToHexString(bytes.substr(0, n)), a8);
      }
      break;
    case 12:  // IPv4: local address first
      if (r.ReadBytes(4, &bytes)) {
        return absl::StrFormat("IPv4(%u.%u.%u.%u)", uint8_t(bytes[0]),
                               uint8_t(bytes[1]), uint8_t(bytes[2]),
                               uint8_t(bytes[3]));
      }
      break;
    case 18:
      if (r.ReadU16(&a) && r.ReadU16(&b) && r.ReadU16(&c)) {
        return absl::StrFormat("Sata(0x%x,0x%x,0x%x)", a, b, c);
      }
      break;
    case 23:  // NVMe: namespace id, EUI-64
      if (r.ReadU32(&nsid) && r.ReadBytes(8, &bytes)) {
        std::vector<std::string> parts;
        for (char ch : bytes)
          parts.push_back(absl::StrFormat("%02x", uint8_t(ch)));
        return absl::StrFormat("NVMe(0x%x,%s)", nsid,
                               absl::StrJoin(parts, "-"));
      }
      break;
    case 24:
      return absl::StrCat("Uri(", absl::CHexEscape(body), ")");
    case 10:
      if (body.size() >= 16) return "VenMsg(" + GuidAt(body, 0) + ")";
      break;
  }
  return Unknown(3, sub, body);
}

std::string Media(uint8_t sub, absl::string_view body) {
  ByteReader r(body);
  uint32_t part = 0;
  uint64_t start = 0, size = 0;
  absl::string_view sig;
  uint8_t format = 0, sig_type = 0;
  switch (sub) {
    case 1:  // hard drive
      if (r.ReadU32(&part) && r.ReadU64(&start) && r.ReadU64(&size) &&
          r.ReadBytes(16, &sig) && r.ReadU8(&format) && r.ReadU8(&sig_type)) {
        std::string signature =
            sig_type == 2 ? Guid::FromBytes(sig).ToString()
            : sig_type == 1
                ? absl::StrFormat("0x%08x", uint8_t(sig[0]) |
                                                uint8_t(sig[1]) << 8 |
                                                uint8_t(sig[2]) << 16 |
                                                uint32_t(uint8_t(sig[3])) << 24)
                : std::string("0");
        return absl::StrFormat("HD(%u,%s,%s,0x%x,0x%x)", part,
                               format == 2   ? "GPT"
                               : format == 1 ? "MBR"
                                             : "?",
                               signature, start, size);
      }
      break;
    case 2:
      if (r.ReadU32(&part) && r.ReadU64(&start) && r.ReadU64(&size)) {
        return absl::StrFormat("CDROM(0x%x,0x%x,0x%x)", part, start, size);
      }
      break;
    case 3:
      if (body.size() >= 16) return "VenMedia(" + GuidAt(body, 0) + ")";
      break;
    case 4:
      return absl::StrCat("File(", Utf16LeToUtf8(StripUtf16Nuls(body)), ")");
    case 5:
      if (body.size() >= 16) return "Media(" + GuidAt(body, 0) + ")";
      break;
    case 6:
      if (body.size() >= 16) return "FvFile(" + GuidAt(body, 0) + ")";
      break;
    case 7:
      if (body.size() >= 16) return "FvVol(" + GuidAt(body, 0) + ")";
      break;
    case 8:
      if (r.ReadU32(&part) && r.ReadU64(&start) && r.ReadU64(&size)) {
        return absl::StrFormat("Offset(0x%x,0x%x)", start, size);
      }
      break;
  }
  return Unknown(4, sub, body);
}

}  // namespace

absl::StatusOr<std::string> DevicePathToText(absl::string_view path) {
  ByteReader r(path);
  std::string out;
  bool need_slash = false;
  for (size_t n = 0; !r.empty(); ++n) {
    size_t at = r.position();
    if (n >= kMaxDevicePathNodes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "device path has more than ", kMaxDevicePathNodes, " nodes"));
    }
    uint8_t type = 0, sub = 0;
    uint16_t len = 0;
    absl::string_view body;
    if (!r.ReadU8(&type) || !r.ReadU8(&sub) || !r.ReadU16(&len) || len < 4 ||
        !r.ReadBytes(len - 4, &body)) {
      return absl::InvalidArgumentError(
          absl::StrCat("device path node at byte ", at, " of ", path.size(),
                       " has a bad length (", len, ")"));
    }
    if (type == 0x7f) {
      if (sub == 0xff) break;  // end of the whole path
      out += ",";              // end of this instance
      need_slash = false;
      continue;
    }
    if (need_slash) out += "/";
    need_slash = true;
    switch (type) {
      case 1:
        out += Hardware(sub, body);
        break;
      case 2:
        out += Acpi(sub, body);
        break;
      case 3:
        out += Messaging(sub, body);
        break;
      case 4:
        out += Media(sub, body);
        break;
      default:
        out += Unknown(type, sub, body);
    }
  }
  return out;
}

bool IsFirmwareVolumePath(absl::string_view path) {
  return path.size() >= 4 && path[0] == 4 && (path[1] == 6 || path[1] == 7);
}

}  // namespace candor::eventlog
