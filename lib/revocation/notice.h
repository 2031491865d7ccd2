// File: lib/revocation/notice.h
//
// Signed revocation notices (common.proto RevocationNotice / RevocationMessage;
// protos/candor/v1/README.md "Who may call what"). The verifier signs a
// RevocationMessage with the revocation key made by `tenant certs init`
// (revocation.crt / revocation.key, OU=revocation); agents verify it against
// the Candor CA they were installed with before acting on it.
//
//   // verifier, once at start:
//   ABSL_ASSIGN_OR_RETURN(RevocationSigner signer,
//                         LoadRevocationSigner(cert_path, key_path));
//   // per notice:
//   ABSL_ASSIGN_OR_RETURN(v1::RevocationNotice notice,
//                         SignNotice(message, signer));
//   // agent:
//   ABSL_ASSIGN_OR_RETURN(crypto::CaStore ca, LoadCaBundle(ca_path));
//   ABSL_ASSIGN_OR_RETURN(v1::RevocationMessage msg, VerifyNotice(notice, ca));
//
// Signatures: ECDSA with SHA-256 (DER ECDSA-Sig-Value) for an EC key;
// RSASSA-PSS with SHA-256, MGF1-SHA256 and a 32-byte salt for an RSA key;
// always over exactly the `message` bytes, serialized once by SignNotice and
// never re-serialized by VerifyNotice.
//
// Thread-safety: all functions may be called concurrently; a RevocationSigner
// may be shared between threads (its key is only read).
#ifndef CANDOR_LIB_REVOCATION_NOTICE_H_
#define CANDOR_LIB_REVOCATION_NOTICE_H_

#include <openssl/evp.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/x509.h"

namespace candor::revocation {

// The OU a signer certificate must carry.
inline constexpr char kRevocationOu[] = "revocation";

// A signing key and its certificate (DER).
struct RevocationSigner {
  crypto::OsslPtr<EVP_PKEY> key;
  std::string cert_der;
};

// Loads revocation.crt (PEM or DER) and revocation.key (PEM). Errors name the
// file: NOT_FOUND if one is missing, INVALID_ARGUMENT if it does not parse,
// if the key is neither EC nor RSA, or if it does not match the certificate.
// The certificate's OU is not checked here (VerifyNotice does that).
absl::StatusOr<RevocationSigner> LoadRevocationSigner(
    const std::string& cert_path, const std::string& key_path);

// Serializes `message` and signs the bytes with `key` (EC or RSA; anything
// else is INVALID_ARGUMENT). `signer_cert_der` is copied into the notice as
// is. INTERNAL if OpenSSL fails.
absl::StatusOr<v1::RevocationNotice> SignNotice(
    const v1::RevocationMessage& message, EVP_PKEY* key,
    absl::string_view signer_cert_der);
absl::StatusOr<v1::RevocationNotice> SignNotice(
    const v1::RevocationMessage& message, const RevocationSigner& signer);

// Checks, in this order, and only then parses the message:
//   - message, signature and signer_certificate are set and the certificate
//     parses as DER X.509                              (INVALID_ARGUMENT)
//   - the certificate chains to `ca` and is within its validity period, and
//     its subject has OU=revocation                    (PERMISSION_DENIED)
//   - the signature verifies over the message bytes with the certificate's
//     key (EC: ECDSA-SHA256; RSA: PSS as above)       (PERMISSION_DENIED)
//   - the message parses and has agent_id and event_cursor (INVALID_ARGUMENT)
// Error messages name the field or the certificate's subject.
absl::StatusOr<v1::RevocationMessage> VerifyNotice(
    const v1::RevocationNotice& notice, const crypto::CaStore& ca);

// A CaStore from a PEM file holding one or more CA certificates (the agent's
// --ca). NOT_FOUND / INVALID_ARGUMENT naming the file.
absl::StatusOr<crypto::CaStore> LoadCaBundle(const std::string& pem_path);

}  // namespace candor::revocation

#endif  // CANDOR_LIB_REVOCATION_NOTICE_H_
