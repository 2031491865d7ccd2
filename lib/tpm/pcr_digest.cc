#include "lib/tpm/pcr_digest.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"

namespace candor::tpm {

absl::StatusOr<std::string> ExtendValue(TPM2_ALG_ID bank, absl::string_view old,
                                        absl::string_view digest) {
  ABSL_ASSIGN_OR_RETURN(size_t size, BankDigestSize(bank));
  if (old.size() != size || digest.size() != size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "extending bank ", BankName(bank), " needs ", size,
        "-byte values; got ", old.size(), " and ", digest.size(), " bytes"));
  }
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(bank));
  return crypto::Digest(md, absl::StrCat(old, digest));
}

absl::StatusOr<std::string> ConcatSelectedPcrs(const PcrSelection& selection,
                                               const PcrValues& values) {
  std::string out;
  for (const BankSelection& bank : selection) {
    auto b = values.find(bank.bank);
    for (uint32_t pcr : bank.pcrs) {
      if (b == values.end() || b->second.count(pcr) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("no value for PCR ", BankName(bank.bank), ":", pcr));
      }
      absl::StrAppend(&out, b->second.at(pcr));
    }
  }
  return out;
}

absl::StatusOr<std::string> QuotePcrDigest(TPMI_ALG_HASH hash,
                                           const PcrSelection& selection,
                                           const PcrValues& values) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(hash));
  ABSL_ASSIGN_OR_RETURN(std::string concat,
                        ConcatSelectedPcrs(selection, values));
  return crypto::Digest(md, concat);
}

absl::Status ValidateSelection(const PcrSelection& selection) {
  std::set<TPM2_ALG_ID> seen;
  for (size_t i = 0; i < selection.size(); ++i) {
    const BankSelection& bank = selection[i];
    ABSL_RETURN_IF_ERROR(BankDigestSize(bank.bank).status())
        << "PCR selection entry " << i;
    if (!seen.insert(bank.bank).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PCR selection lists bank ", BankName(bank.bank), " twice"));
    }
    for (size_t j = 0; j < bank.pcrs.size(); ++j) {
      if (bank.pcrs[j] >= kNumPcrs) {
        return absl::InvalidArgumentError(
            absl::StrCat("PCR selection ", BankName(bank.bank), ": PCR ",
                         bank.pcrs[j], " is out of range 0..23"));
      }
      if (j > 0 && bank.pcrs[j] <= bank.pcrs[j - 1]) {
        return absl::InvalidArgumentError(
            absl::StrCat("PCR selection ", BankName(bank.bank),
                         ": PCRs must be ascending without duplicates (",
                         bank.pcrs[j - 1], " then ", bank.pcrs[j], ")"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateExtend(const PcrExtend& extend) {
  if (extend.pcr >= kNumPcrs) {
    return absl::InvalidArgumentError(
        absl::StrCat("PCR ", extend.pcr, " is out of range 0..23"));
  }
  if (extend.digests.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("extend of PCR ", extend.pcr, " has no digests"));
  }
  if (extend.digests.size() > TPM2_NUM_PCR_BANKS) {
    return absl::InvalidArgumentError(absl::StrCat(
        "extend of PCR ", extend.pcr, " has ", extend.digests.size(),
        " banks; at most ", TPM2_NUM_PCR_BANKS));
  }
  for (const auto& [bank, digest] : extend.digests) {
    ABSL_ASSIGN_OR_RETURN(size_t size, BankDigestSize(bank),
                          _ << "extend of PCR " << extend.pcr);
    if (digest.size() != size) {
      return absl::InvalidArgumentError(
          absl::StrCat("extend of PCR ", extend.pcr, ": the ", BankName(bank),
                       " digest is ", digest.size(), " bytes, not ", size));
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::tpm
