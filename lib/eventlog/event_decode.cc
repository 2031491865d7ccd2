#include "lib/eventlog/event_decode.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "lib/eventlog/byte_reader.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/text.h"

namespace candor::eventlog::internal {
namespace {

constexpr char kStartupLocality[] = "StartupLocality";  // + NUL = 16 bytes

absl::Status Bad(const Event& e, uint64_t offset, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("UEFI event log: event ", e.number, " at byte offset ",
                   e.offset, ": ", EventTypeLabel(e.type), " data: ", what,
                   " (at byte offset ", offset, ")"));
}

// UEFI_VARIABLE_DATA: GUID, u64 name length (CHAR16s), u64 data length,
// name, data. Trailing bytes after the data are tolerated, as tpm2_eventlog
// does.
absl::Status DecodeVariable(Event* e, uint64_t data_offset) {
  ByteReader r(e->data, data_offset);
  absl::string_view guid, name, data;
  uint64_t name_len = 0, data_len = 0;
  if (!r.ReadBytes(16, &guid) || !r.ReadU64(&name_len) ||
      !r.ReadU64(&data_len)) {
    return Bad(*e, data_offset,
               absl::StrCat(e->data.size(),
                            " bytes, too short for the 32-byte "
                            "UEFI_VARIABLE_DATA header"));
  }
  if (name_len > r.remaining() / 2 || !r.ReadBytes(name_len * 2, &name)) {
    return Bad(*e, r.offset(),
               absl::StrCat("UnicodeNameLength ", name_len,
                            " exceeds the event data"));
  }
  if (!r.ReadBytes(data_len, &data)) {
    return Bad(*e, r.offset(),
               absl::StrCat("VariableDataLength ", data_len, " exceeds the ",
                            r.remaining(), " bytes left in the event data"));
  }
  UefiVariable v;
  v.vendor = Guid::FromBytes(guid);
  v.name = Utf16LeToUtf8(StripUtf16Nuls(name));
  v.data = std::string(data);
  e->variable = std::move(v);
  return absl::OkStatus();
}

// UEFI_IMAGE_LOAD_EVENT: u64 location, length, link-time address, device
// path length, then the device path.
absl::Status DecodeImageLoad(Event* e, uint64_t data_offset) {
  ByteReader r(e->data, data_offset);
  ImageLoad img;
  uint64_t path_len = 0;
  absl::string_view path;
  if (!r.ReadU64(&img.image_location) || !r.ReadU64(&img.image_length) ||
      !r.ReadU64(&img.link_time_address) || !r.ReadU64(&path_len)) {
    return Bad(*e, data_offset,
               absl::StrCat(e->data.size(),
                            " bytes, too short for the 32-byte "
                            "UEFI_IMAGE_LOAD_EVENT header"));
  }
  if (!r.ReadBytes(path_len, &path)) {
    return Bad(*e, r.offset(),
               absl::StrCat("LengthOfDevicePath ", path_len, " exceeds the ",
                            r.remaining(), " bytes left in the event data"));
  }
  img.device_path = std::string(path);
  e->image = std::move(img);
  return absl::OkStatus();
}

absl::Status DecodeBlob(Event* e, uint64_t data_offset) {
  ByteReader r(e->data, data_offset);
  FirmwareBlob blob;
  if (e->type == kEvEfiPlatformFirmwareBlob2) {
    uint8_t len = 0;
    absl::string_view desc;
    if (!r.ReadU8(&len) || !r.ReadBytes(len, &desc)) {
      return Bad(*e, data_offset, "truncated in BlobDescription");
    }
    blob.description = std::string(desc);
  }
  if (!r.ReadU64(&blob.base) || !r.ReadU64(&blob.length)) {
    return Bad(*e, r.offset(), "truncated in BlobBase/BlobLength");
  }
  e->blob = std::move(blob);
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeEventData(Event* e, uint64_t data_offset) {
  if (IsVariableEvent(e->type)) return DecodeVariable(e, data_offset);
  if (IsImageLoadEvent(e->type)) return DecodeImageLoad(e, data_offset);
  if (e->type == kEvEfiPlatformFirmwareBlob ||
      e->type == kEvEfiPlatformFirmwareBlob2) {
    return DecodeBlob(e, data_offset);
  }
  if (e->type == kEvNoAction && absl::string_view(e->data).substr(0, 16) ==
                                    absl::string_view(kStartupLocality, 16)) {
    if (e->data.size() < 17) {
      return Bad(*e, data_offset,
                 "StartupLocality event without its locality byte");
    }
    e->startup_locality = static_cast<uint8_t>(e->data[16]);
  }
  return absl::OkStatus();
}

}  // namespace candor::eventlog::internal
