// File: lib/tpm/tpm_marshal.h
//
// TPM structures <-> bytes (TPM 2.0 Part 2 wire format) for the structures
// lib/tpm passes around as std::string: TPM2B_PRIVATE, TPMT_SIGNATURE,
// TPMS_ATTEST, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. tss2-mu only (no
// ESAPI).
//
// Parse* are strict: the bytes must be exactly one structure (trailing bytes
// are an error), and a TPM2B's size field must match what follows it.
// INVALID_ARGUMENT names the structure, the tss2-mu error and the offset.
// Marshal* return "" only for values tss2-mu cannot encode (bad selectors),
// which never happens for values Parse* or the TPM produced.
// Pure; thread-safe.
#ifndef CANDOR_LIB_TPM_TPM_MARSHAL_H_
#define CANDOR_LIB_TPM_TPM_MARSHAL_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::tpm {

std::string MarshalPrivate(const TPM2B_PRIVATE& v);
absl::StatusOr<TPM2B_PRIVATE> ParsePrivate(absl::string_view bytes);

std::string MarshalSignature(const TPMT_SIGNATURE& v);
absl::StatusOr<TPMT_SIGNATURE> ParseSignature(absl::string_view bytes);

std::string MarshalAttest(const TPMS_ATTEST& v);
absl::StatusOr<TPMS_ATTEST> ParseAttest(absl::string_view bytes);

std::string MarshalIdObject(const TPM2B_ID_OBJECT& v);
absl::StatusOr<TPM2B_ID_OBJECT> ParseIdObject(absl::string_view bytes);

std::string MarshalEncryptedSecret(const TPM2B_ENCRYPTED_SECRET& v);
absl::StatusOr<TPM2B_ENCRYPTED_SECRET> ParseEncryptedSecret(
    absl::string_view bytes);

// The bytes of a TPM2B_* buffer (size, buffer) as a string.
template <typename T>
std::string Tpm2bBytes(const T& t) {
  return std::string(reinterpret_cast<const char*>(t.buffer), t.size);
}

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_TPM_MARSHAL_H_
