// EsysTpm: attestation keys (TPM2_Create and TPM2_Load under an EK).
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/esys_session.h"
#include "lib/tpm/esys_tpm.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/tpm_marshal.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

constexpr TPMA_OBJECT kAkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;

TPM2B_PUBLIC AkTemplate(AkType type) {
  TPM2B_PUBLIC t = {};
  TPMT_PUBLIC& p = t.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = kAkAttributes;
  if (type == AkType::kRsa2048) {
    p.type = TPM2_ALG_RSA;
    TPMS_RSA_PARMS& r = p.parameters.rsaDetail;
    r.symmetric.algorithm = TPM2_ALG_NULL;
    r.scheme.scheme = TPM2_ALG_RSASSA;
    r.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    r.keyBits = 2048;
    r.exponent = 0;
  } else {
    p.type = TPM2_ALG_ECC;
    TPMS_ECC_PARMS& e = p.parameters.eccDetail;
    e.symmetric.algorithm = TPM2_ALG_NULL;
    e.scheme.scheme = TPM2_ALG_ECDSA;
    e.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    e.curveID = TPM2_ECC_NIST_P256;
    e.kdf.scheme = TPM2_ALG_NULL;
  }
  return t;
}

const char* AkTypeName(AkType type) {
  return type == AkType::kRsa2048 ? "RSA-2048" : "ECC P-256";
}

// The signing hash of a restricted signing key's own scheme (what TPM2_Quote
// uses with scheme TPM2_ALG_NULL). INVALID_ARGUMENT for anything else.
absl::StatusOr<TPMI_ALG_HASH> AkSigningHash(const TPMT_PUBLIC& pub) {
  const TPMA_OBJECT need = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
  if ((pub.objectAttributes & need) != need ||
      (pub.objectAttributes & TPMA_OBJECT_DECRYPT) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the AK is not a restricted signing key (attributes 0x",
                     absl::Hex(pub.objectAttributes), ")"));
  }
  TPMI_ALG_HASH hash = TPM2_ALG_NULL;
  if (pub.type == TPM2_ALG_RSA &&
      (pub.parameters.rsaDetail.scheme.scheme == TPM2_ALG_RSASSA ||
       pub.parameters.rsaDetail.scheme.scheme == TPM2_ALG_RSAPSS)) {
    hash = pub.parameters.rsaDetail.scheme.details.anySig.hashAlg;
  } else if (pub.type == TPM2_ALG_ECC &&
             pub.parameters.eccDetail.scheme.scheme == TPM2_ALG_ECDSA) {
    hash = pub.parameters.eccDetail.scheme.details.anySig.hashAlg;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("the AK (", TpmAlgName(pub.type),
                     ") has no RSASSA, RSAPSS or ECDSA signing scheme"));
  }
  ABSL_RETURN_IF_ERROR(TpmHashToEvp(hash).status()) << "the AK's scheme hash";
  return hash;
}

}  // namespace

absl::StatusOr<AkBlobs> EsysTpm::CreateAk(AkType type, EkType parent) {
  ABSL_ASSIGN_OR_RETURN(const EkInfo* ek, Ek(parent));
  ABSL_ASSIGN_OR_RETURN(EsysHandle ek_handle, EkHandle(parent));
  ABSL_ASSIGN_OR_RETURN(
      EkSession session, StartEkSession(*ctx_, ek->auth),
      _ << "creating an AK under the " << EkTypeName(parent) << " EK");
  const TPM2B_PUBLIC tmpl = AkTemplate(type);
  TPM2B_SENSITIVE_CREATE sensitive = {};
  TPM2B_DATA outside = {};
  TPML_PCR_SELECTION creation_pcrs = {};
  TPM2B_PRIVATE* priv_raw = nullptr;
  TPM2B_PUBLIC* pub_raw = nullptr;
  TSS2_RC rc =
      Esys_Create(ctx_->get(), ek_handle.get(), session.get(), ESYS_TR_NONE,
                  ESYS_TR_NONE, &sensitive, &tmpl, &outside, &creation_pcrs,
                  &priv_raw, &pub_raw, nullptr, nullptr, nullptr);
  EsysPtr<TPM2B_PRIVATE> priv(priv_raw);
  EsysPtr<TPM2B_PUBLIC> pub(pub_raw);
  ABSL_RETURN_IF_ERROR(
      TssError(absl::StrCat("Esys_Create(", AkTypeName(type), " AK under the ",
                            EkTypeName(parent), " EK)"),
               rc));
  session.Consumed();
  AkBlobs blobs;
  blobs.public_area = MarshalTpm2bPublic(*pub);
  blobs.private_area = MarshalPrivate(*priv);
  ABSL_ASSIGN_OR_RETURN(blobs.name, ComputeName(pub->publicArea));
  if (blobs.public_area.empty() || blobs.private_area.empty()) {
    return absl::InternalError("Esys_Create returned an unmarshallable AK");
  }
  return blobs;
}

absl::Status EsysTpm::LoadAk(absl::string_view public_area,
                             absl::string_view private_area, EkType parent) {
  ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC pub, ParseTpm2bPublic(public_area),
                        _ << "LoadAk: the AK public area");
  ABSL_ASSIGN_OR_RETURN(TPM2B_PRIVATE priv, ParsePrivate(private_area),
                        _ << "LoadAk: the AK private area");
  ABSL_ASSIGN_OR_RETURN(TPMI_ALG_HASH sign_hash, AkSigningHash(pub.publicArea),
                        _ << "LoadAk");
  ABSL_ASSIGN_OR_RETURN(const EkInfo* ek, Ek(parent));
  ak_.Reset();  // flush the previous AK first: swtpm has 3 object slots
  ABSL_ASSIGN_OR_RETURN(EsysHandle ek_handle, EkHandle(parent));
  ABSL_ASSIGN_OR_RETURN(
      EkSession session, StartEkSession(*ctx_, ek->auth),
      _ << "loading the AK under the " << EkTypeName(parent) << " EK");
  ESYS_TR raw = ESYS_TR_NONE;
  TSS2_RC rc = Esys_Load(ctx_->get(), ek_handle.get(), session.get(),
                         ESYS_TR_NONE, ESYS_TR_NONE, &priv, &pub, &raw);
  ABSL_RETURN_IF_ERROR(TssError(
      absl::StrCat("Esys_Load(AK under the ", EkTypeName(parent), " EK)"), rc));
  session.Consumed();
  ak_ = EsysHandle(ctx_->get(), raw, EsysHandle::Release::kFlush);
  ak_info_ = AkInfo{pub.publicArea, sign_hash};
  return absl::OkStatus();
}

}  // namespace candor::tpm
