#include "lib/tpm/handles.h"

#include "absl/strings/str_format.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

// Handles of one type (the top byte of `first`), following moreData.
absl::StatusOr<std::vector<TPM2_HANDLE>> HandlesFrom(EsysContext& ctx,
                                                     TPM2_HANDLE first) {
  std::vector<TPM2_HANDLE> out;
  const TPM2_HANDLE type = first & TPM2_HR_RANGE_MASK;
  TPMI_YES_NO more = TPM2_YES;
  TPM2_HANDLE next = first;
  while (more == TPM2_YES) {
    TPMS_CAPABILITY_DATA* raw = nullptr;
    TSS2_RC rc = Esys_GetCapability(ctx.get(), ESYS_TR_NONE, ESYS_TR_NONE,
                                    ESYS_TR_NONE, TPM2_CAP_HANDLES, next,
                                    TPM2_MAX_CAP_HANDLES, &more, &raw);
    EsysPtr<TPMS_CAPABILITY_DATA> caps(raw);
    ABSL_RETURN_IF_ERROR(TssError(
        absl::StrFormat("Esys_GetCapability(TPM2_CAP_HANDLES, 0x%08x)", next),
        rc));
    const TPML_HANDLE& list = caps->data.handles;
    if (list.count == 0) break;
    for (uint32_t i = 0; i < list.count; ++i) {
      // Loaded sessions are listed as HMAC (0x02) or policy (0x03) handles.
      const TPM2_HANDLE h = list.handle[i];
      const TPM2_HANDLE ht = h & TPM2_HR_RANGE_MASK;
      if (ht == type ||
          (type == TPM2_HR_HMAC_SESSION && ht == TPM2_HR_POLICY_SESSION)) {
        out.push_back(h);
      }
    }
    // Stay in the queried type: loaded sessions come back as 0x02… or
    // 0x03…, but querying from 0x03… would list *saved* sessions.
    next = type | ((list.handle[list.count - 1] & ~TPM2_HR_RANGE_MASK) + 1);
  }
  return out;
}

}  // namespace

absl::StatusOr<LoadedHandles> ListLoadedHandles(EsysContext& ctx) {
  LoadedHandles out;
  ABSL_ASSIGN_OR_RETURN(out.transient, HandlesFrom(ctx, TPM2_TRANSIENT_FIRST));
  ABSL_ASSIGN_OR_RETURN(out.sessions,
                        HandlesFrom(ctx, TPM2_LOADED_SESSION_FIRST));
  return out;
}

absl::StatusOr<int> FlushLoadedHandles(EsysContext& ctx) {
  ABSL_ASSIGN_OR_RETURN(LoadedHandles loaded, ListLoadedHandles(ctx));
  std::vector<TPM2_HANDLE> all = loaded.transient;
  all.insert(all.end(), loaded.sessions.begin(), loaded.sessions.end());
  for (TPM2_HANDLE h : all) {
    ESYS_TR tr = ESYS_TR_NONE;
    TSS2_RC rc = Esys_TR_FromTPMPublic(ctx.get(), h, ESYS_TR_NONE, ESYS_TR_NONE,
                                       ESYS_TR_NONE, &tr);
    ABSL_RETURN_IF_ERROR(
        TssError(absl::StrFormat("Esys_TR_FromTPMPublic(0x%08x)", h), rc))
        << "flushing a handle left loaded";
    rc = Esys_FlushContext(ctx.get(), tr);
    if (rc != TSS2_RC_SUCCESS) {
      Esys_TR_Close(ctx.get(), &tr);
      return TssError(absl::StrFormat("Esys_FlushContext(0x%08x)", h), rc);
    }
  }
  return static_cast<int>(all.size());
}

}  // namespace candor::tpm
