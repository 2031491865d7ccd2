// File: lib/tpm/public_key.h
//
// TPM public areas (TPM2B_PUBLIC / TPMT_PUBLIC, TPM 2.0 Part 2 §12.2) on the
// verifier and registrar side: strict parsing of what agents send, object
// Names, and conversion to OpenSSL keys. No TPM access (tss2-mu only).
//
//   ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC ak,
//   ParseTpm2bPublic(request.ak_public())); ABSL_ASSIGN_OR_RETURN(std::string
//   name, ComputeName(ak.publicArea));
//   ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<EVP_PKEY> key,
//                         PublicToEvpPkey(ak.publicArea));
//
// All functions are pure and thread-safe. Errors on input are
// INVALID_ARGUMENT and say what was wrong.
#ifndef CANDOR_LIB_TPM_PUBLIC_KEY_H_
#define CANDOR_LIB_TPM_PUBLIC_KEY_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::tpm {

// Parses a marshalled TPM2B_PUBLIC. Strict: the size field must equal the
// number of bytes that follow it, the TPMT_PUBLIC must use exactly those
// bytes, the type must be RSA, ECC, KEYEDHASH or SYMCIPHER, and re-marshalling
// must give the same bytes (so Names computed from the result are the TPM's).
// INVALID_ARGUMENT otherwise.
absl::StatusOr<TPM2B_PUBLIC> ParseTpm2bPublic(absl::string_view bytes);

// Marshals `pub` (the size field is computed, pub.size is ignored). Returns ""
// if `pub` cannot be marshalled, which only happens for an invalid type or
// union selector; anything from ParseTpm2bPublic or the TPM marshals.
std::string MarshalTpm2bPublic(const TPM2B_PUBLIC& pub);

// The public key of an RSA or ECC (NIST P-256/P-384/P-521) object as an
// EVP_PKEY (public only; the caller owns it). RSA: modulus size must match
// keyBits; exponent 0 means 65537. ECC: X and Y at most the field size (shorter
// values are left-padded), and the point must be on the curve.
// INVALID_ARGUMENT names the unsupported type or curve, or the bad field.
absl::StatusOr<crypto::OsslPtr<EVP_PKEY>> PublicToEvpPkey(
    const TPMT_PUBLIC& pub);

// The object's Name: nameAlg (2 bytes, big-endian) || H_nameAlg(marshalled
// TPMT_PUBLIC) (TPM 2.0 Part 1 §16). nameAlg sha1/sha256/sha384/sha512;
// INVALID_ARGUMENT for others (including TPM2_ALG_NULL).
absl::StatusOr<std::string> ComputeName(const TPMT_PUBLIC& pub);

// EVP_sha1/sha256/sha384/sha512 for the TPM hash algorithm (not owned; static
// OpenSSL objects). INVALID_ARGUMENT naming the algorithm otherwise.
absl::StatusOr<const EVP_MD*> TpmHashToEvp(TPMI_ALG_HASH alg);

// "TPM2_ALG_SHA256 (0x000b)"-style name for error messages.
std::string TpmAlgName(TPM2_ALG_ID alg);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_PUBLIC_KEY_H_
