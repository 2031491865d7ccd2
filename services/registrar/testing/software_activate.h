// File: services/registrar/testing/software_activate.h  (testonly)
//
// TPM2_ActivateCredential (TPM 2.0 Library Part 1 §24, Part 3 §12.5) in
// software, with the EK's private key: the inverse of MakeCredential, written
// from the specification independently of make_credential.cc so each checks
// the other. Used by unit tests and the benchmark; the golden check is the
// real TPM (tests/integration/registrar).
#ifndef CANDOR_SERVICES_REGISTRAR_TESTING_SOFTWARE_ACTIVATE_H_
#define CANDOR_SERVICES_REGISTRAR_TESTING_SOFTWARE_ACTIVATE_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::registrar::testing {

// Recovers the credential from the marshalled TPM2B_ID_OBJECT and
// TPM2B_ENCRYPTED_SECRET (both with their sizes) for the object `ak_name`.
// INVALID_ARGUMENT when the structures do not parse; PERMISSION_DENIED
// "integrity check failed" when the HMAC does not verify (wrong AK name,
// tampered blob, another EK), as the TPM answers TPM_RC_INTEGRITY.
absl::StatusOr<std::string> SoftwareActivateCredential(
    EVP_PKEY* ek_private, const TPMT_PUBLIC& ek, absl::string_view ak_name,
    absl::string_view credential_blob, absl::string_view encrypted_secret);

}  // namespace candor::registrar::testing

#endif  // CANDOR_SERVICES_REGISTRAR_TESTING_SOFTWARE_ACTIVATE_H_
