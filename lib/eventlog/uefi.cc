#include "lib/eventlog/uefi.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/eventlog/byte_reader.h"
#include "lib/eventlog/text.h"

namespace candor::eventlog {
namespace {

using internal::ByteReader;

absl::Status Bad(absl::string_view what, uint64_t at, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", why, " at byte ", at));
}

constexpr size_t kSignatureListHeader = 28;  // GUID + 3 x u32
constexpr size_t kGptHeaderBytes = 92;
constexpr size_t kMaxGptPartitions = 1024;

}  // namespace

absl::StatusOr<std::vector<SignatureList>> ParseSignatureLists(
    absl::string_view data) {
  std::vector<SignatureList> out;
  ByteReader r(data);
  while (!r.empty()) {
    size_t at = r.position();
    absl::string_view type, header, body;
    uint32_t list_size = 0, header_size = 0, sig_size = 0;
    if (!r.ReadBytes(16, &type) || !r.ReadU32(&list_size) ||
        !r.ReadU32(&header_size) || !r.ReadU32(&sig_size)) {
      return Bad("EFI_SIGNATURE_LIST", at, "truncated header");
    }
    if (list_size < kSignatureListHeader ||
        list_size - kSignatureListHeader > r.remaining() + 0u) {
      return Bad("EFI_SIGNATURE_LIST", at,
                 absl::StrCat("SignatureListSize ", list_size,
                              " does not fit the data"));
    }
    uint64_t rest = list_size - kSignatureListHeader;
    if (header_size > rest || sig_size < 16 ||
        (rest - header_size) % sig_size != 0) {
      return Bad("EFI_SIGNATURE_LIST", at,
                 absl::StrCat("SignatureHeaderSize ", header_size,
                              " / SignatureSize ", sig_size,
                              " do not divide SignatureListSize ", list_size));
    }
    r.ReadBytes(header_size, &header);
    r.ReadBytes(rest - header_size, &body);
    SignatureList list;
    list.type = Guid::FromBytes(type);
    list.header = std::string(header);
    for (size_t i = 0; i < body.size(); i += sig_size) {
      absl::string_view s = body.substr(i, sig_size);
      list.signatures.push_back(
          {Guid::FromBytes(s.substr(0, 16)), std::string(s.substr(16))});
    }
    out.push_back(std::move(list));
  }
  return out;
}

absl::StatusOr<std::vector<uint16_t>> ParseBootOrder(absl::string_view data) {
  if (data.size() % 2 != 0) {
    return Bad("BootOrder", data.size() - 1, "odd length");
  }
  std::vector<uint16_t> out;
  ByteReader r(data);
  uint16_t v = 0;
  while (r.ReadU16(&v)) out.push_back(v);
  return out;
}

absl::StatusOr<LoadOption> ParseLoadOption(absl::string_view data) {
  ByteReader r(data);
  LoadOption opt;
  uint16_t path_len = 0;
  if (!r.ReadU32(&opt.attributes) || !r.ReadU16(&path_len)) {
    return Bad("EFI_LOAD_OPTION", 0, "truncated header");
  }
  // Description: NUL-terminated CHAR16 string.
  size_t start = r.position();
  uint16_t ch = 1;
  while (ch != 0) {
    if (!r.ReadU16(&ch)) {
      return Bad("EFI_LOAD_OPTION", start, "unterminated Description");
    }
  }
  opt.description = Utf16LeToUtf8(data.substr(start, r.position() - start - 2));
  absl::string_view path;
  if (!r.ReadBytes(path_len, &path)) {
    return Bad(
        "EFI_LOAD_OPTION", r.position(),
        absl::StrCat("FilePathListLength ", path_len, " exceeds the data"));
  }
  opt.device_path = std::string(path);
  opt.optional_data = std::string(r.Rest());
  return opt;
}

absl::StatusOr<GptData> ParseGpt(absl::string_view data) {
  ByteReader r(data);
  absl::string_view header, disk;
  uint32_t entry_size = 0;
  uint64_t count = 0;
  if (!r.ReadBytes(kGptHeaderBytes, &header) || !r.ReadU64(&count)) {
    return Bad("UEFI_GPT_DATA", 0, "truncated header");
  }
  if (header.substr(0, 8) != "EFI PART") {
    return Bad("UEFI_GPT_DATA", 0, "signature is not \"EFI PART\"");
  }
  disk = header.substr(56, 16);
  ByteReader h(header.substr(84, 4));
  h.ReadU32(&entry_size);
  if (entry_size < 128 || count > kMaxGptPartitions ||
      count * entry_size > r.remaining()) {
    return Bad("UEFI_GPT_DATA", kGptHeaderBytes,
               absl::StrCat(count, " partitions of ", entry_size,
                            " bytes do not fit the data"));
  }
  GptData gpt;
  gpt.disk = Guid::FromBytes(disk);
  for (uint64_t i = 0; i < count; ++i) {
    absl::string_view e;
    r.ReadBytes(entry_size, &e);
    ByteReader er(e.substr(32));
    GptPartition p;
    p.type = Guid::FromBytes(e.substr(0, 16));
    p.unique = Guid::FromBytes(e.substr(16, 16));
    er.ReadU64(&p.first_lba);
    er.ReadU64(&p.last_lba);
    er.ReadU64(&p.attributes);
    p.name = Utf16LeToUtf8(StripUtf16Nuls(e.substr(56, 72)));
    gpt.partitions.push_back(std::move(p));
  }
  return gpt;
}

absl::StatusOr<std::vector<HandoffTable>> ParseHandoffTables(
    absl::string_view data) {
  ByteReader r(data);
  uint64_t count = 0;
  if (!r.ReadU64(&count) || count > r.remaining() / 24) {
    return Bad("UEFI_HANDOFF_TABLE_POINTERS", 0,
               "NumberOfTables does not fit the data");
  }
  std::vector<HandoffTable> out;
  for (uint64_t i = 0; i < count; ++i) {
    absl::string_view guid;
    HandoffTable t;
    r.ReadBytes(16, &guid);
    r.ReadU64(&t.address);
    t.vendor = Guid::FromBytes(guid);
    out.push_back(t);
  }
  return out;
}

const UefiVariable* VariableNamed(const Event& event, const Guid& vendor,
                                  absl::string_view name) {
  if (!event.variable.has_value()) return nullptr;
  const UefiVariable& v = *event.variable;
  return v.vendor == vendor && v.name == name ? &v : nullptr;
}

}  // namespace candor::eventlog
