#include "lib/quote/tpm2_tools_files.h"

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/quote/pcr_list.h"

namespace candor::quote {
namespace {

// Layout of the "serialized" format (see the header).
constexpr size_t kSelectionEntryBytes = 8;  // hash, sizeofSelect, [4], pad
constexpr size_t kSelectionBytes =
    4 + TPM2_NUM_PCR_BANKS * kSelectionEntryBytes;
constexpr size_t kDigestEntryBytes = 2 + sizeof(TPMU_HA);  // 66
constexpr size_t kDigestListSlots = 8;
constexpr size_t kDigestListBytes = 4 + kDigestListSlots * kDigestEntryBytes;
static_assert(kSelectionBytes == 132 && kDigestListBytes == 532,
              "tpm2-tools serialized PCR file layout");
// tpm2-tools keeps at most TPM2_MAX_PCRS lists (tpm2_pcrs.pcr_values).
constexpr size_t kMaxDigestLists = TPM2_MAX_PCRS;

const uint8_t* Bytes(absl::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}
uint16_t Le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("PCR file: ", what));
}

// Assigns `digests` (in order) to the PCRs of `selection`, strictly.
absl::StatusOr<tpm::PcrValues> Assign(const tpm::PcrSelection& selection,
                                      const std::vector<std::string>& digests) {
  tpm::PcrValues values;
  size_t next = 0, selected = 0;
  for (const tpm::BankSelection& b : selection) selected += b.pcrs.size();
  if (digests.size() != selected) {
    return Bad(absl::StrCat("holds ", digests.size(),
                            " PCR values but its "
                            "selection has ",
                            selected, " PCRs"));
  }
  for (const tpm::BankSelection& b : selection) {
    if (b.pcrs.empty()) continue;
    if (values.count(b.bank) != 0) {
      return Bad(absl::StrCat("selection lists bank ", tpm::BankName(b.bank),
                              " twice"));
    }
    absl::StatusOr<size_t> size = tpm::BankDigestSize(b.bank);
    if (!size.ok()) return Bad(size.status().message());
    tpm::PcrBank& bank = values[b.bank];
    for (uint32_t pcr : b.pcrs) {
      const std::string& d = digests[next++];
      if (d.size() != *size) {
        return Bad(absl::StrCat("value of ", tpm::BankName(b.bank), ":", pcr,
                                " is ", d.size(), " bytes, not ", *size));
      }
      bank[pcr] = d;
    }
  }
  return values;
}

absl::StatusOr<Tpm2ToolsPcrs> ParseSerialized(absl::string_view file) {
  if (file.size() < kSelectionBytes + 4) {
    return Bad(absl::StrCat(file.size(),
                            " bytes, too short for the "
                            "serialized format (at least ",
                            kSelectionBytes + 4, ")"));
  }
  const uint8_t* p = Bytes(file);
  TPML_PCR_SELECTION tpml = {};
  tpml.count = Le32(p);
  if (tpml.count > TPM2_NUM_PCR_BANKS) {
    return Bad(absl::StrCat("selection count ", tpml.count, " exceeds ",
                            TPM2_NUM_PCR_BANKS, " (byte offset 0)"));
  }
  for (uint32_t i = 0; i < tpml.count; ++i) {
    const uint8_t* e = p + 4 + i * kSelectionEntryBytes;
    TPMS_PCR_SELECTION& s = tpml.pcrSelections[i];
    s.hash = Le16(e);
    s.sizeofSelect = e[2];
    if (s.sizeofSelect > sizeof(s.pcrSelect)) {
      return Bad(absl::StrCat("selection ", i, " has sizeofSelect ",
                              s.sizeofSelect, " (byte offset ", e + 2 - p,
                              ")"));
    }
    std::copy(e + 3, e + 3 + s.sizeofSelect, s.pcrSelect);
  }
  absl::StatusOr<tpm::PcrSelection> selection = tpm::SelectionFromTpml(tpml);
  if (!selection.ok()) return Bad(selection.status().message());

  const size_t lists = Le32(p + kSelectionBytes);
  if (lists > kMaxDigestLists) {
    return Bad(absl::StrCat("digest list count ", lists, " exceeds ",
                            kMaxDigestLists, " (byte offset ", kSelectionBytes,
                            ")"));
  }
  const size_t expect = kSelectionBytes + 4 + lists * kDigestListBytes;
  if (file.size() != expect) {
    return Bad(absl::StrCat(file.size(), " bytes, but its ", lists,
                            " digest list(s) make ", expect));
  }
  std::vector<std::string> digests;
  for (size_t l = 0; l < lists; ++l) {
    const size_t at = kSelectionBytes + 4 + l * kDigestListBytes;
    const uint32_t count = Le32(p + at);
    if (count > kDigestListSlots) {
      return Bad(absl::StrCat("digest list ", l, " count ", count,
                              " exceeds 8 (byte offset ", at, ")"));
    }
    for (uint32_t d = 0; d < count; ++d) {
      const uint8_t* e = p + at + 4 + d * kDigestEntryBytes;
      const uint16_t size = Le16(e);
      if (size > sizeof(TPMU_HA)) {
        return Bad(absl::StrCat("digest ", d, " of list ", l, " has size ",
                                size, " (byte offset ", e - p, ")"));
      }
      digests.emplace_back(reinterpret_cast<const char*>(e + 2), size);
    }
  }
  absl::StatusOr<tpm::PcrValues> values = Assign(*selection, digests);
  if (!values.ok()) return values.status();
  return Tpm2ToolsPcrs{*std::move(selection), *std::move(values)};
}

absl::StatusOr<Tpm2ToolsPcrs> ParseMarshaled(absl::string_view file) {
  const uint8_t* p = Bytes(file);
  size_t offset = 0;
  TPML_PCR_SELECTION tpml = {};
  uint32_t lists = 0;
  auto fail = [&](absl::string_view what, TSS2_RC rc) {
    return Bad(absl::StrCat(what, " at byte offset ", offset,
                            " does not unmarshal: ", Tss2_RC_Decode(rc)));
  };
  TSS2_RC rc =
      Tss2_MU_TPML_PCR_SELECTION_Unmarshal(p, file.size(), &offset, &tpml);
  if (rc != TSS2_RC_SUCCESS) return fail("TPML_PCR_SELECTION", rc);
  rc = Tss2_MU_UINT32_Unmarshal(p, file.size(), &offset, &lists);
  if (rc != TSS2_RC_SUCCESS) return fail("digest list count", rc);
  if (lists > kMaxDigestLists) {
    return Bad(absl::StrCat("digest list count ", lists, " exceeds ",
                            kMaxDigestLists));
  }
  std::vector<std::string> digests;
  for (uint32_t l = 0; l < lists; ++l) {
    TPML_DIGEST list = {};
    rc = Tss2_MU_TPML_DIGEST_Unmarshal(p, file.size(), &offset, &list);
    if (rc != TSS2_RC_SUCCESS) return fail("TPML_DIGEST", rc);
    for (uint32_t d = 0; d < list.count; ++d) {
      digests.emplace_back(
          reinterpret_cast<const char*>(list.digests[d].buffer),
          list.digests[d].size);
    }
  }
  if (offset != file.size()) {
    return Bad(absl::StrCat(file.size() - offset,
                            " trailing bytes from byte "
                            "offset ",
                            offset));
  }
  absl::StatusOr<tpm::PcrSelection> selection = tpm::SelectionFromTpml(tpml);
  if (!selection.ok()) return Bad(selection.status().message());
  absl::StatusOr<tpm::PcrValues> values = Assign(*selection, digests);
  if (!values.ok()) return values.status();
  return Tpm2ToolsPcrs{*std::move(selection), *std::move(values)};
}

absl::StatusOr<Tpm2ToolsPcrs> ParseValues(absl::string_view file,
                                          const tpm::PcrSelection& selection) {
  std::vector<std::string> digests;
  size_t offset = 0;
  for (const tpm::BankSelection& b : selection) {
    absl::StatusOr<size_t> size = tpm::BankDigestSize(b.bank);
    if (!size.ok()) return Bad(size.status().message());
    for (size_t i = 0; i < b.pcrs.size(); ++i) {
      if (file.size() - offset < *size) {
        return Bad(absl::StrCat(file.size(),
                                " bytes, too short for the "
                                "values of ",
                                FormatPcrList(selection)));
      }
      digests.emplace_back(file.substr(offset, *size));
      offset += *size;
    }
  }
  if (offset != file.size()) {
    return Bad(absl::StrCat(file.size() - offset,
                            " trailing bytes after the "
                            "selection's values, from byte offset ",
                            offset));
  }
  absl::StatusOr<tpm::PcrValues> values = Assign(selection, digests);
  if (!values.ok()) return values.status();
  return Tpm2ToolsPcrs{selection, *std::move(values)};
}

}  // namespace

absl::StatusOr<PcrsFormat> ParsePcrsFormat(absl::string_view name) {
  if (name == "serialized") return PcrsFormat::kSerialized;
  if (name == "marshaled") return PcrsFormat::kMarshaled;
  if (name == "values") return PcrsFormat::kValues;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown PCR file format '", name,
                   "': use serialized, marshaled or values (tpm2_quote -F)"));
}

absl::StatusOr<Tpm2ToolsPcrs> ParseTpm2ToolsPcrs(
    absl::string_view file, PcrsFormat format,
    const tpm::PcrSelection& selection) {
  switch (format) {
    case PcrsFormat::kSerialized:
      return ParseSerialized(file);
    case PcrsFormat::kMarshaled:
      return ParseMarshaled(file);
    case PcrsFormat::kValues:
      if (selection.empty()) {
        return absl::InvalidArgumentError(
            "PCR file: the 'values' format needs a PCR selection");
      }
      return ParseValues(file, selection);
  }
  return absl::InvalidArgumentError("PCR file: unknown format");
}

absl::string_view AttestFromTpm2ToolsMessage(absl::string_view file) {
  static constexpr char kMagic[] = "\xff\x54\x43\x47";
  if (file.size() >= 6 && file.substr(2, 4) == absl::string_view(kMagic, 4)) {
    const size_t size = size_t{Bytes(file)[0]} << 8 | Bytes(file)[1];
    if (size == file.size() - 2) return file.substr(2);
  }
  return file;
}

}  // namespace candor::quote
