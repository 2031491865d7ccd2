#include "lib/quote/pcr_list.h"

#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace candor::quote {

absl::StatusOr<tpm::PcrSelection> ParsePcrList(absl::string_view text) {
  if (text.empty()) {
    return absl::InvalidArgumentError("PCR list is empty");
  }
  tpm::PcrSelection out;
  for (absl::string_view part : absl::StrSplit(text, '+')) {
    std::pair<absl::string_view, absl::string_view> bank_pcrs =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    if (part.find(':') == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("PCR list part '", part,
                       "' is not BANK:PCR,PCR,... (e.g. "
                       "sha256:0,1,2)"));
    }
    absl::StatusOr<TPM2_ALG_ID> bank = tpm::ParseBankName(bank_pcrs.first);
    if (!bank.ok()) return bank.status();
    for (const tpm::BankSelection& seen : out) {
      if (seen.bank == *bank) {
        return absl::InvalidArgumentError(
            absl::StrCat("PCR list names bank ", bank_pcrs.first, " twice"));
      }
    }
    tpm::BankSelection sel{*bank, {}};
    if (bank_pcrs.second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("PCR list bank ", bank_pcrs.first, " has no PCRs"));
    }
    for (absl::string_view pcr : absl::StrSplit(bank_pcrs.second, ',')) {
      if (pcr == "all") {
        for (uint32_t i = 0; i < tpm::kNumPcrs; ++i) sel.pcrs.push_back(i);
        continue;
      }
      uint32_t index = 0;
      if (pcr.empty() || pcr.size() > 2 ||
          !std::all_of(pcr.begin(), pcr.end(),
                       [](char c) { return c >= '0' && c <= '9'; }) ||
          !absl::SimpleAtoi(pcr, &index) || index >= tpm::kNumPcrs) {
        return absl::InvalidArgumentError(
            absl::StrCat("PCR list: '", pcr, "' in bank ", bank_pcrs.first,
                         " is not a PCR index 0..23 or 'all'"));
      }
      sel.pcrs.push_back(index);
    }
    std::sort(sel.pcrs.begin(), sel.pcrs.end());
    if (std::adjacent_find(sel.pcrs.begin(), sel.pcrs.end()) !=
        sel.pcrs.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PCR list names a PCR of bank ", bank_pcrs.first, " twice"));
    }
    out.push_back(std::move(sel));
  }
  return out;
}

std::string FormatPcrList(const tpm::PcrSelection& selection) {
  return absl::StrJoin(selection, "+",
                       [](std::string* out, const tpm::BankSelection& b) {
                         absl::StrAppend(out, tpm::BankName(b.bank), ":",
                                         absl::StrJoin(b.pcrs, ","));
                       });
}

}  // namespace candor::quote
