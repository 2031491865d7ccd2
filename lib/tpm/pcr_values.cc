#include "lib/tpm/pcr_values.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::tpm {

absl::StatusOr<size_t> BankDigestSize(TPM2_ALG_ID bank) {
  switch (bank) {
    case TPM2_ALG_SHA1:
      return 20;
    case TPM2_ALG_SHA256:
    case TPM2_ALG_SM3_256:
      return 32;
    case TPM2_ALG_SHA384:
      return 48;
    case TPM2_ALG_SHA512:
      return 64;
    default:
      return absl::InvalidArgumentError(
          absl::StrFormat("unknown PCR bank algorithm 0x%04x", bank));
  }
}

std::string BankName(TPM2_ALG_ID bank) {
  switch (bank) {
    case TPM2_ALG_SHA1:
      return "sha1";
    case TPM2_ALG_SHA256:
      return "sha256";
    case TPM2_ALG_SHA384:
      return "sha384";
    case TPM2_ALG_SHA512:
      return "sha512";
    case TPM2_ALG_SM3_256:
      return "sm3_256";
    default:
      return absl::StrFormat("alg_0x%04x", bank);
  }
}

absl::StatusOr<TPM2_ALG_ID> ParseBankName(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(name);
  for (TPM2_ALG_ID id : {TPM2_ALG_SHA1, TPM2_ALG_SHA256, TPM2_ALG_SHA384,
                         TPM2_ALG_SHA512, TPM2_ALG_SM3_256}) {
    if (n == BankName(id)) return id;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown PCR bank '", name, "': use sha1, sha256, sha384, sha512 or "
      "sm3_256"));
}

absl::StatusOr<PcrSelection> SelectionFromTpml(const TPML_PCR_SELECTION& tpml) {
  if (tpml.count > TPM2_NUM_PCR_BANKS) {
    return absl::InvalidArgumentError(
        absl::StrCat("PCR selection lists ", tpml.count, " banks"));
  }
  PcrSelection out;
  for (uint32_t i = 0; i < tpml.count; ++i) {
    const TPMS_PCR_SELECTION& s = tpml.pcrSelections[i];
    absl::StatusOr<size_t> size = BankDigestSize(s.hash);
    if (!size.ok()) return size.status();
    if (s.sizeofSelect > sizeof(s.pcrSelect)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PCR selection sizeofSelect ", s.sizeofSelect, " exceeds 4"));
    }
    BankSelection bank{s.hash, {}};
    for (uint32_t byte = 0; byte < s.sizeofSelect; ++byte) {
      for (uint32_t bit = 0; bit < 8; ++bit) {
        if (s.pcrSelect[byte] & (1u << bit)) bank.pcrs.push_back(byte * 8 + bit);
      }
    }
    out.push_back(std::move(bank));
  }
  return out;
}

absl::StatusOr<TPML_PCR_SELECTION> SelectionToTpml(const PcrSelection& sel) {
  TPML_PCR_SELECTION tpml{};
  if (sel.size() > TPM2_NUM_PCR_BANKS) {
    return absl::InvalidArgumentError(
        absl::StrCat("PCR selection lists ", sel.size(), " banks"));
  }
  tpml.count = static_cast<uint32_t>(sel.size());
  for (size_t i = 0; i < sel.size(); ++i) {
    TPMS_PCR_SELECTION& s = tpml.pcrSelections[i];
    s.hash = sel[i].bank;
    s.sizeofSelect = 3;
    for (uint32_t pcr : sel[i].pcrs) {
      if (pcr >= kNumPcrs) {
        return absl::InvalidArgumentError(
            absl::StrCat("PCR index ", pcr, " is out of range 0..23"));
      }
      s.pcrSelect[pcr / 8] |= static_cast<uint8_t>(1u << (pcr % 8));
    }
  }
  return tpml;
}

}  // namespace candor::tpm
