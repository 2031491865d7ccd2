// File: lib/tpm/nv.h
//
// Reading NV indices and persistent objects: the EK certificates that the TPM
// vendor (or swtpm_setup) stores in NV (TCG EK Credential Profile 2.0 §2.2.1.5:
// RSA-2048 at 0x01c00002, ECC NIST P-256 at 0x01c0000a; swtpm puts its P-384
// certificate at 0x01c00016) and the EKs' public areas at their persistent
// handles (0x81010001 RSA, 0x81010016 ECC in swtpm).
#ifndef CANDOR_LIB_TPM_NV_H_
#define CANDOR_LIB_TPM_NV_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "lib/tpm/ek.h"
#include "lib/tpm/esys_context.h"

namespace candor::tpm {

// EkType and the EK handle / NV index constants are in lib/tpm/ek.h.

// The whole contents of an NV index, read in chunks of TPM2_PT_NV_BUFFER_MAX
// (1024 on swtpm; an RSA EK certificate is ~1016 bytes and others are larger).
// NOT_FOUND if the index is not defined; TPM errors name the call and offset.
absl::StatusOr<std::string> ReadNv(EsysContext& ctx, TPM2_HANDLE nv_index);

// The DER EK certificate for `type` (for ECC: the P-256 index, else the P-384
// index). NOT_FOUND (naming the indices tried) when the TPM has none.
absl::StatusOr<std::string> ReadEkCertificate(EsysContext& ctx, EkType type);

// TPM2_ReadPublic of a persistent object: its marshalled TPM2B_PUBLIC and the
// TPM's own name for it (nameAlg || digest). NOT_FOUND if not present.
struct ObjectPublic {
  std::string public_area;  // marshalled TPM2B_PUBLIC
  std::string name;         // TPM2B_NAME contents
};
absl::StatusOr<ObjectPublic> ReadPersistentPublic(EsysContext& ctx,
                                                  TPM2_HANDLE handle);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_NV_H_
