// File: lib/tpm/ek.h
//
// Where Endorsement Keys and their certificates live (no TPM access, no
// ESAPI). TCG EK Credential Profile 2.0 §2.2.1.4–5 and TCG TPM v2.0
// Provisioning Guidance §7.8:
//   - RSA-2048 EK (template L-1): certificate NV 0x01c00002, persistent
//     handle 0x81010001.
//   - ECC NIST P-256 EK (template L-2): certificate NV 0x01c0000a.
//   - ECC NIST P-384 EK (high-range template H-3, what swtpm_setup creates):
//     certificate NV 0x01c00016, persistent handle 0x81010016 in swtpm.
#ifndef CANDOR_LIB_TPM_EK_H_
#define CANDOR_LIB_TPM_EK_H_

#include <tss2/tss2_tpm2_types.h>

namespace candor::tpm {

inline constexpr TPM2_HANDLE kEkCertNvIndexRsa = 0x01c00002;
inline constexpr TPM2_HANDLE kEkCertNvIndexEccP256 = 0x01c0000a;
inline constexpr TPM2_HANDLE kEkCertNvIndexEccP384 = 0x01c00016;
inline constexpr TPM2_HANDLE kEkHandleRsa = 0x81010001;
inline constexpr TPM2_HANDLE kEkHandleEcc = 0x81010016;

// Which of the TPM's EKs: RSA-2048, or ECC (P-256 or P-384, see above).
enum class EkType { kRsa, kEcc };

// "RSA" / "ECC", for messages.
inline const char* EkTypeName(EkType type) {
  return type == EkType::kRsa ? "RSA" : "ECC";
}

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_EK_H_
