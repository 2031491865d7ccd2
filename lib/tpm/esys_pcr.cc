// EsysTpm: PCR read, extend and reset (TPM 2.0 Part 3 §22).
#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/esys_tpm.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

bool AnySelected(const TPML_PCR_SELECTION& sel) {
  for (uint32_t i = 0; i < sel.count; ++i) {
    for (int b = 0; b < 4; ++b) {
      if (sel.pcrSelections[i].pcrSelect[b] != 0) return true;
    }
  }
  return false;
}

std::string DescribeRemaining(const TPML_PCR_SELECTION& sel) {
  std::string out;
  for (uint32_t i = 0; i < sel.count; ++i) {
    const TPMS_PCR_SELECTION& s = sel.pcrSelections[i];
    for (uint32_t pcr = 0; pcr < kNumPcrs; ++pcr) {
      if (s.pcrSelect[pcr / 8] & (1u << (pcr % 8))) {
        absl::StrAppend(&out, out.empty() ? "" : ",", BankName(s.hash), ":",
                        pcr);
      }
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<PcrValues> EsysTpm::ReadPcrs(const PcrSelection& selection) {
  ABSL_RETURN_IF_ERROR(ValidateSelection(selection)) << "ReadPcrs";
  ABSL_ASSIGN_OR_RETURN(TPML_PCR_SELECTION remaining,
                        SelectionToTpml(selection));
  PcrValues out;
  for (const BankSelection& bank : selection) out[bank.bank];
  // TPM2_PCR_Read returns at most 8 digests per call (notes/tpm.md §3.6):
  // clear what came back and ask again for the rest.
  while (AnySelected(remaining)) {
    TPML_PCR_SELECTION* got_raw = nullptr;
    TPML_DIGEST* values_raw = nullptr;
    TSS2_RC rc =
        Esys_PCR_Read(ctx_->get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                      &remaining, nullptr, &got_raw, &values_raw);
    EsysPtr<TPML_PCR_SELECTION> got(got_raw);
    EsysPtr<TPML_DIGEST> values(values_raw);
    ABSL_RETURN_IF_ERROR(TssError("Esys_PCR_Read", rc));
    uint32_t next = 0;
    for (uint32_t i = 0; i < got->count; ++i) {
      const TPMS_PCR_SELECTION& s = got->pcrSelections[i];
      TPMS_PCR_SELECTION* want = nullptr;
      for (uint32_t j = 0; j < remaining.count; ++j) {
        if (remaining.pcrSelections[j].hash == s.hash) {
          want = &remaining.pcrSelections[j];
        }
      }
      for (uint32_t pcr = 0; pcr < 8u * std::min<uint32_t>(s.sizeofSelect, 4);
           ++pcr) {
        const uint8_t bit = static_cast<uint8_t>(1u << (pcr % 8));
        if ((s.pcrSelect[pcr / 8] & bit) == 0) continue;
        if (want == nullptr || (want->pcrSelect[pcr / 8] & bit) == 0 ||
            next >= values->count) {
          return absl::InternalError(absl::StrCat(
              "Esys_PCR_Read returned ", BankName(s.hash), ":", pcr,
              " which was not asked for, or too few digests"));
        }
        const TPM2B_DIGEST& d = values->digests[next++];
        ABSL_ASSIGN_OR_RETURN(size_t size, BankDigestSize(s.hash));
        if (d.size != size) {
          return absl::InternalError(absl::StrCat("Esys_PCR_Read returned a ",
                                                  d.size, "-byte value for ",
                                                  BankName(s.hash), ":", pcr));
        }
        out[s.hash][pcr].assign(reinterpret_cast<const char*>(d.buffer),
                                d.size);
        want->pcrSelect[pcr / 8] &= static_cast<uint8_t>(~bit);
      }
    }
    if (next == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("ReadPcrs: the TPM returns no value for ",
                       DescribeRemaining(remaining),
                       " (is the bank allocated? see Facts().pcr_banks)"));
    }
  }
  return out;
}

absl::Status EsysTpm::ResetPcr(uint32_t pcr) {
  if (pcr >= kNumPcrs) {
    return absl::InvalidArgumentError(
        absl::StrCat("ResetPcr: PCR ", pcr, " is out of range 0..23"));
  }
  return TssError(absl::StrCat("Esys_PCR_Reset(", pcr, ")"),
                  Esys_PCR_Reset(ctx_->get(), ESYS_TR_PCR0 + pcr,
                                 ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE));
}

absl::Status EsysTpm::ExtendOne(const PcrExtend& extend) {
  TPML_DIGEST_VALUES values = {};
  values.count = static_cast<UINT32>(extend.digests.size());
  uint32_t i = 0;
  for (const auto& [bank, digest] : extend.digests) {
    values.digests[i].hashAlg = bank;
    std::copy(digest.begin(), digest.end(),
              reinterpret_cast<char*>(&values.digests[i].digest));
    ++i;
  }
  return TssError(
      "Esys_PCR_Extend",
      Esys_PCR_Extend(ctx_->get(), ESYS_TR_PCR0 + extend.pcr, ESYS_TR_PASSWORD,
                      ESYS_TR_NONE, ESYS_TR_NONE, &values));
}

absl::Status EsysTpm::ExtendPcr(uint32_t pcr, const PcrDigests& digests) {
  PcrExtend extend{pcr, digests};
  ABSL_RETURN_IF_ERROR(ValidateExtend(extend)) << "ExtendPcr";
  ABSL_RETURN_IF_ERROR(ExtendOne(extend)) << "PCR " << pcr;
  return absl::OkStatus();
}

absl::Status EsysTpm::ExtendPcrMany(const std::vector<PcrExtend>& extends) {
  for (size_t i = 0; i < extends.size(); ++i) {
    ABSL_RETURN_IF_ERROR(ValidateExtend(extends[i]))
        << "ExtendPcrMany entry " << i << " (nothing was extended)";
  }
  for (size_t i = 0; i < extends.size(); ++i) {
    ABSL_RETURN_IF_ERROR(ExtendOne(extends[i]))
        << "ExtendPcrMany entry " << i << " of " << extends.size() << " (PCR "
        << extends[i].pcr << "; entries before it were applied)";
  }
  return absl::OkStatus();
}

}  // namespace candor::tpm
