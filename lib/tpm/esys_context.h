// File: lib/tpm/esys_context.h
//
// RAII over tpm2-tss ESAPI: the TCTI context (from a TCTI string such as
// "swtpm:host=127.0.0.1,port=2321" or "device:/dev/tpmrm0") and the
// ESYS_CONTEXT on top of it, finalized in reverse order. Also the owning
// pointer for memory ESAPI returns (Esys_Free) and an ESYS_TR holder that
// closes (persistent, NV) or flushes (transient, sessions) its handle.
//
// Only lib/tpm includes tss2_esys.h. Not thread-safe: one context per thread,
// and swtpm serves one connection at a time (notes/tpm.md §1).
#ifndef CANDOR_LIB_TPM_ESYS_CONTEXT_H_
#define CANDOR_LIB_TPM_ESYS_CONTEXT_H_

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace candor::tpm {

// Frees memory returned by ESAPI output parameters.
struct EsysFree {
  void operator()(void* p) const { Esys_Free(p); }
};
template <typename T>
using EsysPtr = std::unique_ptr<T, EsysFree>;

class EsysContext {
 public:
  // Loads the TCTI and initializes ESAPI. Errors name the TCTI string and the
  // decoded TSS return code (UNAVAILABLE when the TPM cannot be reached).
  static absl::StatusOr<std::unique_ptr<EsysContext>> Open(
      const std::string& tcti_conf);
  ~EsysContext();
  EsysContext(const EsysContext&) = delete;
  EsysContext& operator=(const EsysContext&) = delete;

  ESYS_CONTEXT* get() const { return esys_; }
  const std::string& tcti_conf() const { return tcti_conf_; }

 private:
  EsysContext(std::string conf, TSS2_TCTI_CONTEXT* tcti, ESYS_CONTEXT* esys)
      : tcti_conf_(std::move(conf)), tcti_(tcti), esys_(esys) {}
  std::string tcti_conf_;
  TSS2_TCTI_CONTEXT* tcti_;
  ESYS_CONTEXT* esys_;
};

// An ESYS_TR owned by this object. kClose releases ESAPI's metadata only
// (persistent keys, NV indices); kFlush also evicts the object or session
// from the TPM (transient keys, sessions), so nothing leaks into the TPM's
// three object slots.
class EsysHandle {
 public:
  enum class Release { kClose, kFlush };
  EsysHandle() = default;
  EsysHandle(ESYS_CONTEXT* ctx, ESYS_TR tr, Release release)
      : ctx_(ctx), tr_(tr), release_(release) {}
  EsysHandle(EsysHandle&& o) noexcept { *this = std::move(o); }
  EsysHandle& operator=(EsysHandle&& o) noexcept;
  ~EsysHandle() { Reset(); }

  ESYS_TR get() const { return tr_; }
  // Releases the handle as chosen at construction. A kFlush whose
  // Esys_FlushContext fails (the TPM no longer has the handle) still frees
  // ESAPI's metadata.
  void Reset();
  // Frees ESAPI's metadata only, never flushing: for handles the TPM has
  // already dropped (a policy session used with continueSession clear, or any
  // transient handle after TPM2_Startup).
  void Forget();

 private:
  ESYS_CONTEXT* ctx_ = nullptr;
  ESYS_TR tr_ = ESYS_TR_NONE;
  Release release_ = Release::kClose;
};

// An ESYS_TR for a TPM handle that already exists (persistent object or NV
// index). NOT_FOUND when the TPM has no such handle.
absl::StatusOr<EsysHandle> HandleFromTpm(EsysContext& ctx, TPM2_HANDLE handle);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_ESYS_CONTEXT_H_
