// File: lib/tpm/ek_template.h
//
// TCG default EK templates (EK Credential Profile 2.0 §B.3.3 and §B.4.4), the
// public areas TPM2_CreatePrimary turns into the same EK every time (and the
// key in the EK certificate):
//   - L-1: RSA-2048, nameAlg SHA-256, AES-128-CFB, PolicyA, userWithAuth
//     clear, unique = 256 zero bytes (= swtpm's 0x81010001).
//   - L-2: ECC NIST P-256, nameAlg SHA-256, AES-128-CFB, PolicyA, unique =
//     two 32-byte zero coordinates. What `tpm2_createek -G ecc` creates; it
//     does NOT match swtpm's ECC EK certificate.
//   - H-3: ECC NIST P-384, nameAlg SHA-384, AES-256-CFB, PolicyB,
//     userWithAuth set, empty unique (= swtpm's 0x81010016 and its P-384
//     certificate; `tpm2_createek -G ecc384`).
// Pure; thread-safe.
#ifndef CANDOR_LIB_TPM_EK_TEMPLATE_H_
#define CANDOR_LIB_TPM_EK_TEMPLATE_H_

#include <tss2/tss2_tpm2_types.h>

namespace candor::tpm {

TPM2B_PUBLIC EkTemplateRsaL1();
TPM2B_PUBLIC EkTemplateEccP256L2();
TPM2B_PUBLIC EkTemplateEccP384H3();

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_EK_TEMPLATE_H_
