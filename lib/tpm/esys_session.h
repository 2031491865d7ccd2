// File: lib/tpm/esys_session.h
//
// The authorization for one EK-authorized command (TPM2_Create, TPM2_Load,
// TPM2_ActivateCredential with the EK as parent or key), as lib/tpm/ek_policy
// decides it: a FRESH policy session (TPM2_StartAuthSession with the EK's
// nameAlg, TPM2_PolicySecret(TPM_RH_ENDORSEMENT) and, for high-range EKs,
// TPM2_PolicyOR) with continueSession cleared, or a password session.
//
//   ABSL_ASSIGN_OR_RETURN(EkSession s, StartEkSession(ctx, ek_auth));
//   rc = Esys_Load(ctx.get(), ek, s.get(), ...);
//   if (rc == TSS2_RC_SUCCESS) s.Consumed();
//
// A policy session is single-use: the TPM flushes it after the command
// succeeds (continueSession clear), so call Consumed() then; otherwise the
// destructor flushes it. Either way no session stays loaded (notes/tpm.md
// §3.3: sessions left with continueSession set exhaust the TPM's session
// slots). Endorsement hierarchy authValue is assumed empty. Not thread-safe.
#ifndef CANDOR_LIB_TPM_ESYS_SESSION_H_
#define CANDOR_LIB_TPM_ESYS_SESSION_H_

#include "absl/status/statusor.h"
#include "lib/tpm/ek_policy.h"
#include "lib/tpm/esys_context.h"

namespace candor::tpm {

class EkSession {
 public:
  EkSession() = default;
  explicit EkSession(EsysHandle session) : session_(std::move(session)) {}

  // The session to pass as the EK's authorization (ESYS_TR_PASSWORD for a
  // password session).
  ESYS_TR get() const {
    return session_.get() == ESYS_TR_NONE ? ESYS_TR_PASSWORD : session_.get();
  }
  // The command using it succeeded: the TPM has flushed the session.
  void Consumed() { session_.Forget(); }

 private:
  EsysHandle session_;
};

// Starts the session `auth` calls for. TPM errors name the step.
absl::StatusOr<EkSession> StartEkSession(EsysContext& ctx, const EkAuth& auth);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_ESYS_SESSION_H_
