// EsysTpm::ActivateCredential (TPM 2.0 Part 3 §12.5): proves to the
// registrar that the AK is loaded on the TPM holding the EK.
#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/esys_session.h"
#include "lib/tpm/esys_tpm.h"
#include "lib/tpm/tpm_marshal.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

// TPM_RC_INTEGRITY in any parameter position: the blob's HMAC did not verify
// (made for another AK name or EK, or altered).
bool IsIntegrityError(TSS2_RC rc) {
  const TSS2_RC base = rc & 0xFFFF;
  return (base & TPM2_RC_FMT1) != 0 &&
         (base & 0x3F) == (TPM2_RC_INTEGRITY & 0x3F);
}

// Wipes ESAPI's copy of the credential before Esys_Free releases it.
struct CleanseAndFree {
  void operator()(TPM2B_DIGEST* p) const {
    OPENSSL_cleanse(p, sizeof(*p));
    Esys_Free(p);
  }
};

}  // namespace

absl::StatusOr<crypto::SecretBytes> EsysTpm::ActivateCredential(
    absl::string_view credential_blob, absl::string_view encrypted_secret,
    EkType ek_type) {
  ABSL_ASSIGN_OR_RETURN(TPM2B_ID_OBJECT blob, ParseIdObject(credential_blob),
                        _ << "ActivateCredential: the credential blob");
  ABSL_ASSIGN_OR_RETURN(TPM2B_ENCRYPTED_SECRET secret,
                        ParseEncryptedSecret(encrypted_secret),
                        _ << "ActivateCredential: the encrypted secret");
  if (ak_.get() == ESYS_TR_NONE) {
    return absl::FailedPreconditionError(
        "ActivateCredential: no AK is loaded (LoadAk first)");
  }
  ABSL_ASSIGN_OR_RETURN(const EkInfo* ek, Ek(ek_type));
  ABSL_ASSIGN_OR_RETURN(EsysHandle ek_handle, EkHandle(ek_type));
  ABSL_ASSIGN_OR_RETURN(
      EkSession session, StartEkSession(*ctx_, ek->auth),
      _ << "activating a credential with the " << EkTypeName(ek_type) << " EK");
  TPM2B_DIGEST* cred_raw = nullptr;
  // The AK (activateHandle) in the ADMIN role: its empty authValue works
  // because adminWithPolicy is clear. The EK (keyHandle) in the USER role.
  TSS2_RC rc = Esys_ActivateCredential(ctx_->get(), ak_.get(), ek_handle.get(),
                                       ESYS_TR_PASSWORD, session.get(),
                                       ESYS_TR_NONE, &blob, &secret, &cred_raw);
  std::unique_ptr<TPM2B_DIGEST, CleanseAndFree> cred(cred_raw);
  absl::Status status = TssError(
      absl::StrCat("Esys_ActivateCredential(", EkTypeName(ek_type), " EK)"),
      rc);
  if (!status.ok() && IsIntegrityError(rc)) {
    absl::Status invalid(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat(status.message(),
                     "; the credential was not made for this AK's name and "
                     "this EK, or was altered"));
    status.ForEachPayload([&](absl::string_view url, const absl::Cord& p) {
      invalid.SetPayload(url, p);
    });
    return invalid;
  }
  ABSL_RETURN_IF_ERROR(status);
  session.Consumed();
  return crypto::SecretBytes(absl::string_view(
      reinterpret_cast<const char*>(cred->buffer), cred->size));
}

}  // namespace candor::tpm
