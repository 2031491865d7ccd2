#include "lib/tpm/esys_context.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

// TPM_RC_HANDLE in any handle/parameter position, any layer: the object or
// index does not exist.
bool IsHandleError(TSS2_RC rc) {
  TSS2_RC base = rc & 0xFFFF;
  return (base & TPM2_RC_FMT1) != 0 && (base & 0x3F) == (TPM2_RC_HANDLE & 0x3F);
}

}  // namespace

absl::StatusOr<std::unique_ptr<EsysContext>> EsysContext::Open(
    const std::string& tcti_conf) {
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti_conf.c_str(), &tcti);
  if (rc != TSS2_RC_SUCCESS) {
    return TssError(absl::StrCat("Tss2_TctiLdr_Initialize(\"", tcti_conf, "\")"),
                    rc);
  }
  ESYS_CONTEXT* esys = nullptr;
  rc = Esys_Initialize(&esys, tcti, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    Tss2_TctiLdr_Finalize(&tcti);
    return TssError(absl::StrCat("Esys_Initialize(\"", tcti_conf, "\")"), rc);
  }
  return std::unique_ptr<EsysContext>(new EsysContext(tcti_conf, tcti, esys));
}

EsysContext::~EsysContext() {
  if (esys_ != nullptr) Esys_Finalize(&esys_);
  if (tcti_ != nullptr) Tss2_TctiLdr_Finalize(&tcti_);
}

EsysHandle& EsysHandle::operator=(EsysHandle&& o) noexcept {
  if (this != &o) {
    Reset();
    ctx_ = std::exchange(o.ctx_, nullptr);
    tr_ = std::exchange(o.tr_, ESYS_TR_NONE);
    release_ = o.release_;
  }
  return *this;
}

void EsysHandle::Reset() {
  if (ctx_ != nullptr && tr_ != ESYS_TR_NONE) {
    if (release_ == Release::kFlush) {
      // Esys_FlushContext frees the ESYS_TR only when the TPM flushed it.
      if (Esys_FlushContext(ctx_, tr_) != TSS2_RC_SUCCESS) {
        Esys_TR_Close(ctx_, &tr_);
      }
    } else {
      Esys_TR_Close(ctx_, &tr_);
    }
  }
  ctx_ = nullptr;
  tr_ = ESYS_TR_NONE;
}

void EsysHandle::Forget() {
  if (ctx_ != nullptr && tr_ != ESYS_TR_NONE) Esys_TR_Close(ctx_, &tr_);
  ctx_ = nullptr;
  tr_ = ESYS_TR_NONE;
}

absl::StatusOr<EsysHandle> HandleFromTpm(EsysContext& ctx,
                                         TPM2_HANDLE handle) {
  ESYS_TR tr = ESYS_TR_NONE;
  TSS2_RC rc = Esys_TR_FromTPMPublic(ctx.get(), handle, ESYS_TR_NONE,
                                     ESYS_TR_NONE, ESYS_TR_NONE, &tr);
  if (rc != TSS2_RC_SUCCESS) {
    std::string call = absl::StrFormat("Esys_TR_FromTPMPublic(0x%08x)", handle);
    if (IsHandleError(rc)) {
      return absl::NotFoundError(absl::StrCat(
          call, ": the TPM has no handle 0x", absl::Hex(handle, absl::kZeroPad8)));
    }
    return TssError(call, rc);
  }
  return EsysHandle(ctx.get(), tr, EsysHandle::Release::kClose);
}

}  // namespace candor::tpm
