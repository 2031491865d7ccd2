// EsysTpm::Facts: TPM2_GetCapability (TPM 2.0 Part 3 §30.2) for the fixed
// properties, the allocated PCR banks and the implemented algorithms.
#include <string>

#include "absl/strings/str_format.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/esys_tpm.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

// Four big-endian characters packed in a property value.
std::string PropertyChars(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

absl::StatusOr<TpmFacts> EsysTpm::Facts() {
  TpmFacts facts;
  uint32_t fw1 = 0, fw2 = 0, vendor[4] = {};
  TPM2_PT next = TPM2_PT_FIXED;
  for (TPMI_YES_NO more = TPM2_YES; more == TPM2_YES;) {
    TPMS_CAPABILITY_DATA* raw = nullptr;
    TSS2_RC rc = Esys_GetCapability(ctx_->get(), ESYS_TR_NONE, ESYS_TR_NONE,
                                    ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, next,
                                    TPM2_MAX_TPM_PROPERTIES, &more, &raw);
    EsysPtr<TPMS_CAPABILITY_DATA> caps(raw);
    ABSL_RETURN_IF_ERROR(TssError(
        absl::StrFormat("Esys_GetCapability(TPM_PROPERTIES, 0x%x)", next), rc));
    const TPML_TAGGED_TPM_PROPERTY& props = caps->data.tpmProperties;
    if (props.count == 0) break;
    for (uint32_t i = 0; i < props.count; ++i) {
      const uint32_t v = props.tpmProperty[i].value;
      switch (props.tpmProperty[i].property) {
        case TPM2_PT_MANUFACTURER:
          facts.manufacturer = PropertyChars(v);
          break;
        case TPM2_PT_REVISION:
          facts.spec_revision = v;
          break;
        case TPM2_PT_VENDOR_STRING_1:
          vendor[0] = v;
          break;
        case TPM2_PT_VENDOR_STRING_2:
          vendor[1] = v;
          break;
        case TPM2_PT_VENDOR_STRING_3:
          vendor[2] = v;
          break;
        case TPM2_PT_VENDOR_STRING_4:
          vendor[3] = v;
          break;
        case TPM2_PT_FIRMWARE_VERSION_1:
          fw1 = v;
          break;
        case TPM2_PT_FIRMWARE_VERSION_2:
          fw2 = v;
          break;
        default:
          break;
      }
    }
    next = props.tpmProperty[props.count - 1].property + 1;
    if (next > TPM2_PT_FIRMWARE_VERSION_2) break;  // the rest is not needed
  }
  for (uint32_t v : vendor) facts.vendor += PropertyChars(v);
  for (std::string* s : {&facts.manufacturer, &facts.vendor}) {
    s->erase(s->find_last_not_of('\0') + 1);  // npos + 1 == 0: all NULs
  }
  facts.firmware_version = (uint64_t{fw1} << 32) | fw2;

  TPMS_CAPABILITY_DATA* raw = nullptr;
  TSS2_RC rc =
      Esys_GetCapability(ctx_->get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                         TPM2_CAP_PCRS, 0, 1, nullptr, &raw);
  EsysPtr<TPMS_CAPABILITY_DATA> pcrs(raw);
  ABSL_RETURN_IF_ERROR(TssError("Esys_GetCapability(TPM2_CAP_PCRS)", rc));
  const TPML_PCR_SELECTION& banks = pcrs->data.assignedPCR;
  for (uint32_t i = 0; i < banks.count && i < TPM2_NUM_PCR_BANKS; ++i) {
    const TPMS_PCR_SELECTION& s = banks.pcrSelections[i];
    bool any = false;
    for (uint8_t b = 0; b < s.sizeofSelect && b < 4; ++b) any |= s.pcrSelect[b];
    if (any) facts.pcr_banks.push_back(s.hash);
  }

  uint32_t alg = TPM2_ALG_FIRST;
  for (TPMI_YES_NO more = TPM2_YES; more == TPM2_YES;) {
    TPMS_CAPABILITY_DATA* algs_raw = nullptr;
    rc = Esys_GetCapability(ctx_->get(), ESYS_TR_NONE, ESYS_TR_NONE,
                            ESYS_TR_NONE, TPM2_CAP_ALGS, alg, TPM2_MAX_CAP_ALGS,
                            &more, &algs_raw);
    EsysPtr<TPMS_CAPABILITY_DATA> algs(algs_raw);
    ABSL_RETURN_IF_ERROR(TssError("Esys_GetCapability(TPM2_CAP_ALGS)", rc));
    const TPML_ALG_PROPERTY& list = algs->data.algorithms;
    if (list.count == 0) break;
    for (uint32_t i = 0; i < list.count; ++i) {
      facts.algorithms.push_back(list.algProperties[i].alg);
    }
    alg = list.algProperties[list.count - 1].alg + 1u;
  }
  return facts;
}

}  // namespace candor::tpm
