#include "lib/tpm/esys_session.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {

absl::StatusOr<EkSession> StartEkSession(EsysContext& ctx, const EkAuth& auth) {
  if (auth.kind == EkAuth::Kind::kPassword) return EkSession();
  TPMT_SYM_DEF sym = {};
  sym.algorithm = TPM2_ALG_NULL;
  ESYS_TR raw = ESYS_TR_NONE;
  TSS2_RC rc = Esys_StartAuthSession(
      ctx.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
      ESYS_TR_NONE, nullptr, TPM2_SE_POLICY, &sym, auth.session_hash, &raw);
  ABSL_RETURN_IF_ERROR(
      TssError(absl::StrCat("Esys_StartAuthSession(policy, ",
                            TpmAlgName(auth.session_hash), ")"),
               rc));
  EsysHandle session(ctx.get(), raw, EsysHandle::Release::kFlush);
  rc = Esys_PolicySecret(ctx.get(), ESYS_TR_RH_ENDORSEMENT, session.get(),
                         ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                         nullptr, nullptr, 0, nullptr, nullptr);
  ABSL_RETURN_IF_ERROR(TssError("Esys_PolicySecret(TPM_RH_ENDORSEMENT)", rc))
      << "authorizing the EK (is the endorsement hierarchy's auth empty?)";
  if (auth.kind == EkAuth::Kind::kPolicySecretThenOr) {
    TPML_DIGEST branches = {};
    if (auth.or_branches.size() > 8) {
      return absl::InvalidArgumentError("PolicyOR takes at most 8 branches");
    }
    branches.count = static_cast<UINT32>(auth.or_branches.size());
    for (size_t i = 0; i < auth.or_branches.size(); ++i) {
      const std::string& b = auth.or_branches[i];
      if (b.size() > sizeof(branches.digests[i].buffer)) {
        return absl::InvalidArgumentError("PolicyOR branch too long");
      }
      branches.digests[i].size = static_cast<UINT16>(b.size());
      std::copy(b.begin(), b.end(), branches.digests[i].buffer);
    }
    rc = Esys_PolicyOR(ctx.get(), session.get(), ESYS_TR_NONE, ESYS_TR_NONE,
                       ESYS_TR_NONE, &branches);
    ABSL_RETURN_IF_ERROR(TssError("Esys_PolicyOR(EK PolicyA, PolicyC)", rc));
  }
  rc = Esys_TRSess_SetAttributes(ctx.get(), session.get(), 0,
                                 TPMA_SESSION_CONTINUESESSION);
  ABSL_RETURN_IF_ERROR(TssError("Esys_TRSess_SetAttributes", rc));
  return EkSession(std::move(session));
}

}  // namespace candor::tpm
