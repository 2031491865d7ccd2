#include "lib/convert/pcr_convert.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::convert {
namespace {

constexpr std::pair<v1::HashAlgorithm, TPM2_ALG_ID> kBanks[] = {
    {v1::HASH_ALGORITHM_SHA1, TPM2_ALG_SHA1},
    {v1::HASH_ALGORITHM_SHA256, TPM2_ALG_SHA256},
    {v1::HASH_ALGORITHM_SHA384, TPM2_ALG_SHA384},
    {v1::HASH_ALGORITHM_SHA512, TPM2_ALG_SHA512},
    {v1::HASH_ALGORITHM_SM3_256, TPM2_ALG_SM3_256},
};

}  // namespace

absl::StatusOr<TPM2_ALG_ID> BankFromProto(v1::HashAlgorithm alg) {
  for (const auto& [proto, tpm] : kBanks) {
    if (proto == alg) return tpm;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "PCR bank ", v1::HashAlgorithm_Name(alg).empty()
                       ? absl::StrCat(static_cast<int>(alg))
                       : v1::HashAlgorithm_Name(alg),
      " is not a bank (use SHA1, SHA256, SHA384, SHA512 or SM3_256)"));
}

absl::StatusOr<v1::HashAlgorithm> BankToProto(TPM2_ALG_ID bank) {
  for (const auto& [proto, tpm] : kBanks) {
    if (tpm == bank) return proto;
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("TPM algorithm 0x%04x is not a PCR bank", bank));
}

absl::StatusOr<tpm::PcrSelection> SelectionFromProto(
    const google::protobuf::RepeatedPtrField<v1::PcrSelection>& selections) {
  tpm::PcrSelection out;
  std::set<TPM2_ALG_ID> seen;
  for (int i = 0; i < selections.size(); ++i) {
    const v1::PcrSelection& s = selections[i];
    absl::StatusOr<TPM2_ALG_ID> bank = BankFromProto(s.bank());
    if (!bank.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pcr_selections[", i, "].bank: ", bank.status().message()));
    }
    if (!seen.insert(*bank).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pcr_selections[", i, "]: bank ", tpm::BankName(*bank),
          " is selected twice"));
    }
    tpm::BankSelection b{*bank, {}};
    for (int j = 0; j < s.pcrs_size(); ++j) {
      if (s.pcrs(j) >= tpm::kNumPcrs) {
        return absl::InvalidArgumentError(absl::StrCat(
            "pcr_selections[", i, "].pcrs[", j, "]: PCR ", s.pcrs(j),
            " is out of range 0..23"));
      }
      b.pcrs.push_back(s.pcrs(j));
    }
    std::sort(b.pcrs.begin(), b.pcrs.end());
    b.pcrs.erase(std::unique(b.pcrs.begin(), b.pcrs.end()), b.pcrs.end());
    out.push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<google::protobuf::RepeatedPtrField<v1::PcrSelection>>
SelectionToProto(const tpm::PcrSelection& selection) {
  google::protobuf::RepeatedPtrField<v1::PcrSelection> out;
  for (const tpm::BankSelection& b : selection) {
    absl::StatusOr<v1::HashAlgorithm> bank = BankToProto(b.bank);
    if (!bank.ok()) return bank.status();
    v1::PcrSelection* s = out.Add();
    s->set_bank(*bank);
    for (uint32_t pcr : b.pcrs) s->add_pcrs(pcr);
  }
  return out;
}

absl::StatusOr<tpm::PcrValues> ValuesFromProto(const v1::PcrValues& values) {
  tpm::PcrValues out;
  for (int i = 0; i < values.banks_size(); ++i) {
    const v1::PcrBankValues& b = values.banks(i);
    absl::StatusOr<TPM2_ALG_ID> bank = BankFromProto(b.bank());
    if (!bank.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pcr_values.banks[", i, "].bank: ", bank.status().message()));
    }
    if (out.count(*bank) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pcr_values.banks[", i, "]: bank ", tpm::BankName(*bank),
          " is listed twice"));
    }
    size_t size = *tpm::BankDigestSize(*bank);
    tpm::PcrBank& dst = out[*bank];
    for (const auto& [pcr, digest] : b.digests()) {
      if (pcr >= tpm::kNumPcrs) {
        return absl::InvalidArgumentError(absl::StrCat(
            "pcr_values.banks[", i, "]: PCR ", pcr, " is out of range 0..23"));
      }
      if (digest.size() != size) {
        return absl::InvalidArgumentError(absl::StrCat(
            "pcr_values.banks[", i, "] (", tpm::BankName(*bank), ") PCR ", pcr,
            ": ", digest.size(), " bytes, expected ", size));
      }
      dst[pcr] = digest;
    }
  }
  return out;
}

absl::StatusOr<v1::PcrValues> ValuesToProto(const tpm::PcrValues& values) {
  v1::PcrValues out;
  for (const auto& [bank, pcrs] : values) {
    absl::StatusOr<v1::HashAlgorithm> alg = BankToProto(bank);
    if (!alg.ok()) return alg.status();
    v1::PcrBankValues* b = out.add_banks();
    b->set_bank(*alg);
    for (const auto& [pcr, digest] : pcrs) (*b->mutable_digests())[pcr] = digest;
  }
  return out;
}

}  // namespace candor::convert
