// File: lib/tpm/testing/quote_check.h
//
// A small, independent quote check for tests of Tpm implementations (not the
// verifier's: that lives with the verifier). Checks a TpmQuote against the AK
// that signed it: the attest parses as a TPMS_ATTEST quote (magic, type),
// extraData equals `nonce`, the quoted selection equals `selection`, the
// pcrDigest equals the digest of quote.pcrs with the AK's scheme hash, and
// the signature (RSASSA or ECDSA, TPM 2.0 Part 2 §11.3.4) verifies over the
// attest bytes. Returns the parsed attest (for clockInfo checks).
// INVALID_ARGUMENT names the first check that failed. Testonly; thread-safe.
#ifndef CANDOR_LIB_TPM_TESTING_QUOTE_CHECK_H_
#define CANDOR_LIB_TPM_TESTING_QUOTE_CHECK_H_

#include <tss2/tss2_tpm2_types.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/tpm.h"

namespace candor::tpm::testing {

absl::StatusOr<TPMS_ATTEST> CheckQuote(absl::string_view ak_public,
                                       const TpmQuote& quote,
                                       absl::string_view nonce,
                                       const PcrSelection& selection);

// An RSA or ECC public area (marshalled TPM2B_PUBLIC) as a PEM
// SubjectPublicKeyInfo (for tpm2_checkquote -u, tpm2_makecredential -u).
absl::StatusOr<std::string> PublicAreaPem(absl::string_view public_area);

}  // namespace candor::tpm::testing

#endif  // CANDOR_LIB_TPM_TESTING_QUOTE_CHECK_H_
