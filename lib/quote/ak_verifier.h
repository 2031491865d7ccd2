// File: lib/quote/ak_verifier.h
//
// An attestation key (AK), parsed once and used for any number of quote
// signature checks (TPM 2.0 Library Part 1 §18.4 "Attestation", Part 2
// §11.3.4 TPMT_SIGNATURE). The verifier caches one AkVerifier per agent;
// every cycle then only hashes and verifies.
//
//   ABSL_ASSIGN_OR_RETURN(std::unique_ptr<AkVerifier> ak,
//                         AkVerifier::Create(identity.ak_public()));
//   std::shared_ptr<const AkVerifier> shared = std::move(ak);
//
// Accepted: RSA (2048 bits or more, exponent 0 meaning 65537) with RSASSA
// (PKCS#1 v1.5) or RSAPSS, and ECC NIST P-256/P-384/P-521 with ECDSA; each
// with SHA-256, SHA-384 or SHA-512. RSAPSS accepts any salt length the
// signature carries (OpenSSL's auto-detection): the TPM 2.0 specification
// asks for the largest salt, libtpms/swtpm uses the digest length, and both
// are secure. SHA-1 signatures, ECDAA, SM2, EC-Schnorr and HMAC are refused
// as quote.unsupported_algorithm.
//
// An AK from a TPM2B_PUBLIC must be a restricted signing key (restricted,
// sign, not decrypt: only such a key refuses to sign outside data that
// starts with TPM_GENERATED_VALUE), and when its scheme is set, signatures
// must use exactly that scheme and hash. An AK from a SubjectPublicKeyInfo
// (the PEM/DER file tpm2-tools writes) carries neither, so any accepted
// scheme of its key type is accepted; prefer the TPM2B_PUBLIC.
//
// Thread-safety: immutable after Create; any number of threads may call
// CheckSignature on one instance at once (each call works on a private copy
// of a prepared EVP_PKEY_CTX).
#ifndef CANDOR_LIB_QUOTE_AK_VERIFIER_H_
#define CANDOR_LIB_QUOTE_AK_VERIFIER_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::quote {

class AkVerifier {
 public:
  // From a marshalled TPM2B_PUBLIC (with its size, as AgentIdentity.ak_public
  // and `tpm2_createak -f tss -u` carry it). INVALID_ARGUMENT when it does
  // not parse (lib/tpm ParseTpm2bPublic), is not RSA or ECC, is not a
  // restricted signing key, or is an RSA key under 2048 bits or an unknown
  // curve.
  static absl::StatusOr<std::unique_ptr<AkVerifier>> Create(
      absl::string_view tpm2b_public);

  // From a SubjectPublicKeyInfo, PEM ("-----BEGIN PUBLIC KEY-----") or DER.
  // INVALID_ARGUMENT when it does not parse, has trailing bytes (DER), or is
  // not an RSA (>= 2048 bits) or NIST P-256/P-384/P-521 key.
  static absl::StatusOr<std::unique_ptr<AkVerifier>> FromSubjectPublicKeyInfo(
      absl::string_view pem_or_der);

  ~AkVerifier();
  AkVerifier(const AkVerifier&) = delete;
  AkVerifier& operator=(const AkVerifier&) = delete;

  // Verifies `signature` (parsed by ParseSignature) over `attest`, the
  // TPMS_ATTEST bytes exactly as received (hashed as they are, never
  // re-marshalled). Returns nullopt when it verifies, else the failure:
  //   quote.unsupported_algorithm  scheme or hash not accepted (see above)
  //   quote.bad_signature          does not verify, unsigned (TPM_ALG_NULL),
  //                                a scheme of the other key type, or not
  //                                the AK's fixed scheme/hash
  // Never touches OpenSSL's error queue of the caller (it is drained).
  std::optional<candor::v1::Failure> CheckSignature(
      absl::string_view attest, const TPMT_SIGNATURE& signature) const;

  // TPM2_ALG_RSA or TPM2_ALG_ECC.
  TPM2_ALG_ID key_type() const { return key_type_; }
  // RSA modulus bits or the curve's field bits.
  int key_bits() const { return key_bits_; }
  // The AK's fixed signing scheme and its hash, TPM2_ALG_NULL when the key
  // has none (or came from a SubjectPublicKeyInfo).
  TPM2_ALG_ID scheme() const { return scheme_; }
  TPM2_ALG_ID scheme_hash() const { return scheme_hash_; }
  // The public key (owned by this object).
  const EVP_PKEY* key() const { return key_.get(); }

 private:
  // Scheme x hash slots of prepared verification contexts.
  static constexpr int kSchemes = 3;  // RSASSA, RSAPSS, ECDSA
  static constexpr int kHashes = 3;   // SHA-256, SHA-384, SHA-512

  AkVerifier() = default;
  static absl::StatusOr<std::unique_ptr<AkVerifier>> FromKey(
      crypto::OsslPtr<EVP_PKEY> key, TPM2_ALG_ID scheme,
      TPM2_ALG_ID scheme_hash);

  crypto::OsslPtr<EVP_PKEY> key_;
  TPM2_ALG_ID key_type_ = TPM2_ALG_NULL;
  int key_bits_ = 0;
  size_t ecc_field_bytes_ = 0;
  TPM2_ALG_ID scheme_ = TPM2_ALG_NULL;
  TPM2_ALG_ID scheme_hash_ = TPM2_ALG_NULL;
  // Verify-initialized contexts (padding, salt, digest set), duplicated per
  // call; null where the scheme/hash is not accepted for this key.
  crypto::OsslPtr<EVP_PKEY_CTX> templates_[kSchemes][kHashes];
};

// "rsassa", "rsapss", "ecdsa", "ecdaa", "sm2", "ecschnorr", "hmac", "null",
// else "alg_0x%04x": signature scheme names as tpm2-tools spells them.
std::string SchemeName(TPM2_ALG_ID scheme);

}  // namespace candor::quote

#endif  // CANDOR_LIB_QUOTE_AK_VERIFIER_H_
