// EsysTpm: creation, EKs, Startup/Shutdown. AKs are in esys_ak.cc, quotes in
// esys_quote.cc, PCRs in esys_pcr.cc, credentials in esys_credential.cc,
// facts in esys_facts.cc.
#include "lib/tpm/esys_tpm.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/ek_template.h"
#include "lib/tpm/nv.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

bool NeedsStartup(const absl::Status& status) {
  std::optional<TSS2_RC> rc = TssRcFromStatus(status);
  return rc.has_value() && ClassifyRc(*rc) == RetryClass::kReboot;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EsysTpm>> EsysTpm::Create(
    const std::string& tcti) {
  return Create(tcti, Options());
}

absl::StatusOr<std::unique_ptr<EsysTpm>> EsysTpm::Create(
    const std::string& tcti, const Options& options) {
  if (options.quote_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("EsysTpm: quote_attempts must be at least 1, not ",
                     options.quote_attempts));
  }
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<EsysContext> ctx,
                        EsysContext::Open(tcti));
  // Earlier processes may have left objects and sessions loaded. A TPM that
  // awaits TPM2_Startup has none (and answers nothing else).
  absl::StatusOr<int> flushed = FlushLoadedHandles(*ctx);
  if (!flushed.ok() && !NeedsStartup(flushed.status())) {
    return StatusBuilder(flushed.status())
           << "flushing handles left loaded on " << tcti;
  }
  return std::unique_ptr<EsysTpm>(new EsysTpm(std::move(ctx), options));
}

EsysTpm::~EsysTpm() { ak_.Reset(); }

absl::StatusOr<EsysHandle> EsysTpm::CreatePrimaryEk(EkType type,
                                                    TPM2B_PUBLIC* out_public) {
  TPM2B_PUBLIC tmpl = EkTemplateRsaL1();
  const char* name = "L-1 (RSA-2048)";
  if (type == EkType::kEcc) {
    // A P-256 EK certificate means the vendor certified template L-2.
    const bool p256 = HandleFromTpm(*ctx_, kEkCertNvIndexEccP256).ok();
    tmpl = p256 ? EkTemplateEccP256L2() : EkTemplateEccP384H3();
    name = p256 ? "L-2 (ECC P-256)" : "H-3 (ECC P-384)";
  }
  TPM2B_SENSITIVE_CREATE sensitive = {};
  TPM2B_DATA outside = {};
  TPML_PCR_SELECTION creation_pcrs = {};
  ESYS_TR raw = ESYS_TR_NONE;
  TPM2B_PUBLIC* pub_raw = nullptr;
  TSS2_RC rc = Esys_CreatePrimary(ctx_->get(), ESYS_TR_RH_ENDORSEMENT,
                                  ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                  &sensitive, &tmpl, &outside, &creation_pcrs,
                                  &raw, &pub_raw, nullptr, nullptr, nullptr);
  EsysPtr<TPM2B_PUBLIC> pub(pub_raw);
  ABSL_RETURN_IF_ERROR(TssError(
      absl::StrCat("Esys_CreatePrimary(endorsement, EK template ", name, ")"),
      rc));
  EsysHandle handle(ctx_->get(), raw, EsysHandle::Release::kFlush);
  if (out_public != nullptr) *out_public = *pub;
  return handle;
}

absl::StatusOr<const EsysTpm::EkInfo*> EsysTpm::Ek(EkType type) {
  std::optional<EkInfo>& slot = ek_[static_cast<int>(type)];
  if (slot.has_value()) return &*slot;
  EkInfo info;
  const TPM2_HANDLE persistent =
      type == EkType::kRsa ? kEkHandleRsa : kEkHandleEcc;
  absl::StatusOr<ObjectPublic> obj =
      options_.use_persistent_ek
          ? ReadPersistentPublic(*ctx_, persistent)
          : absl::StatusOr<ObjectPublic>(absl::NotFoundError("not used"));
  if (obj.ok()) {
    ABSL_ASSIGN_OR_RETURN(
        info.pub, ParseTpm2bPublic(obj->public_area),
        _ << "the EK at " << absl::StrFormat("0x%08x", persistent));
    info.public_area = std::move(obj->public_area);
    info.persistent = true;
  } else if (obj.status().code() == absl::StatusCode::kNotFound) {
    ABSL_ASSIGN_OR_RETURN(EsysHandle created, CreatePrimaryEk(type, &info.pub));
    info.public_area = MarshalTpm2bPublic(info.pub);
  } else {
    return obj.status();
  }
  ABSL_ASSIGN_OR_RETURN(info.auth, EkAuthFor(info.pub.publicArea),
                        _ << EkTypeName(type) << " EK");
  slot = std::move(info);
  return &*slot;
}

absl::StatusOr<EsysHandle> EsysTpm::EkHandle(EkType type) {
  ABSL_ASSIGN_OR_RETURN(const EkInfo* ek, Ek(type));
  if (ek->persistent) {
    return HandleFromTpm(*ctx_,
                         type == EkType::kRsa ? kEkHandleRsa : kEkHandleEcc);
  }
  return CreatePrimaryEk(type, nullptr);
}

absl::StatusOr<std::string> EsysTpm::EkPublic(EkType type) {
  ABSL_ASSIGN_OR_RETURN(const EkInfo* ek, Ek(type));
  return ek->public_area;
}

absl::StatusOr<std::string> EsysTpm::EkCertificate(EkType type) {
  return ReadEkCertificate(*ctx_, type);
}

absl::Status EsysTpm::Startup(bool clear) {
  const TPM2_SU su = clear ? TPM2_SU_CLEAR : TPM2_SU_STATE;
  ABSL_RETURN_IF_ERROR(TssError(
      clear ? "Esys_Startup(TPM2_SU_CLEAR)" : "Esys_Startup(TPM2_SU_STATE)",
      Esys_Startup(ctx_->get(), su)));
  if (ak_.get() == ESYS_TR_NONE) return absl::OkStatus();
  // A real Startup flushed every transient object. But ESAPI also reports
  // success when the TPM was already started (TPM_RC_INITIALIZE), and then
  // the AK is still loaded: keep it, or it would leak.
  TPM2_HANDLE handle = 0;
  absl::StatusOr<LoadedHandles> loaded = ListLoadedHandles();
  if (Esys_TR_GetTpmHandle(ctx_->get(), ak_.get(), &handle) ==
          TSS2_RC_SUCCESS &&
      loaded.ok() &&
      std::find(loaded->transient.begin(), loaded->transient.end(), handle) !=
          loaded->transient.end()) {
    return absl::OkStatus();
  }
  ak_.Forget();
  return absl::OkStatus();
}

absl::Status EsysTpm::Shutdown(bool clear) {
  const TPM2_SU su = clear ? TPM2_SU_CLEAR : TPM2_SU_STATE;
  return TssError(
      clear ? "Esys_Shutdown(TPM2_SU_CLEAR)" : "Esys_Shutdown(TPM2_SU_STATE)",
      Esys_Shutdown(ctx_->get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, su));
}

absl::StatusOr<LoadedHandles> EsysTpm::ListLoadedHandles() {
  return tpm::ListLoadedHandles(*ctx_);
}

}  // namespace candor::tpm
