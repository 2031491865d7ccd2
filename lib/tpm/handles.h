// File: lib/tpm/handles.h
//
// The TPM's loaded transient objects and sessions (TPM2_GetCapability
// TPM2_CAP_HANDLES), and flushing them. swtpm has no resource manager: what
// one process leaves loaded stays loaded, and swtpm has only three object
// slots (notes/tpm.md §2), so EsysTpm::Create flushes leftovers and tests
// check that nothing leaks. Under a kernel resource manager (/dev/tpmrm0)
// only this connection's handles are visible.
//
// Not thread-safe (uses the caller's EsysContext).
#ifndef CANDOR_LIB_TPM_HANDLES_H_
#define CANDOR_LIB_TPM_HANDLES_H_

#include <tss2/tss2_tpm2_types.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/tpm/esys_context.h"

namespace candor::tpm {

struct LoadedHandles {
  std::vector<TPM2_HANDLE> transient;  // 0x80xxxxxx
  std::vector<TPM2_HANDLE> sessions;   // loaded HMAC and policy sessions
};

// Lists both kinds. TPM errors name the capability query.
absl::StatusOr<LoadedHandles> ListLoadedHandles(EsysContext& ctx);

// Flushes every loaded transient object and session, returning how many.
// Fails on the first handle that cannot be flushed, naming it.
absl::StatusOr<int> FlushLoadedHandles(EsysContext& ctx);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_HANDLES_H_
