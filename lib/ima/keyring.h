// File: lib/ima/keyring.h
//
// Keys that verify IMA file signatures (signature.h), indexed by keyid v2.
// A key's keyid is the last 4 bytes of its X.509 certificate's subject key
// identifier when it came in a certificate that has one, and otherwise the
// last 4 bytes of SHA-1 over its SubjectPublicKey bits (the PKCS#1
// RSAPublicKey, or the X9.62 EC point), as evmctl and Keylime compute it.
// Keys come from a runtime policy's verification-keys and from keys the
// kernel measured into a keyring (ima-buf entries carry the DER
// certificate). RSA and EC keys only.
//
// Keyring is a value: copies share the (immutable, reference-counted)
// EVP_PKEYs. Const methods are thread-safe; Add is not.
#ifndef CANDOR_LIB_IMA_KEYRING_H_
#define CANDOR_LIB_IMA_KEYRING_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/ima/entry.h"

namespace candor::ima {

struct KeyringKey {
  uint32_t keyid = 0;
  std::shared_ptr<EVP_PKEY> key;
  std::string spki_der;  // DER SubjectPublicKeyInfo: the key's identity
  std::string source;    // keyring name, or "verification-keys"
};

// The keyid v2 of `key` computed from its public key (no certificate).
// INVALID_ARGUMENT when the key cannot be encoded.
absl::StatusOr<uint32_t> KeyIdV2(const EVP_PKEY* key);

// A DER X.509 certificate (keyid from its subject key identifier when
// present) or a DER SubjectPublicKeyInfo, nothing after it. INVALID_ARGUMENT
// when it is neither, or the key is not RSA or EC.
absl::StatusOr<KeyringKey> ParseKeyDer(absl::string_view der);

// Every "CERTIFICATE" and "PUBLIC KEY" block of PEM text (at least one).
// INVALID_ARGUMENT naming the block (1-based) that does not parse, holds
// another type (private keys are refused: policies are not secret), or an
// unsupported key.
absl::StatusOr<std::vector<KeyringKey>> ParseKeysPem(absl::string_view pem);

class Keyring {
 public:
  // Adds `key` unless a key with the same SubjectPublicKeyInfo and keyid is
  // already there.
  void Add(KeyringKey key);
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  const std::vector<KeyringKey>& keys() const { return keys_; }

 private:
  std::vector<KeyringKey> keys_;
};

// Verifies a sig field (raw bytes) over the file digest `digest` with the
// keys of `keyrings` whose keyid it names. OK when one verifies. Otherwise:
// INVALID_ARGUMENT (malformed or unsupported signature, or signed with
// another hash than the file digest's), NOT_FOUND (no key with that keyid),
// UNAUTHENTICATED (it does not verify with the key(s) of that keyid);
// messages say which keyid.
absl::Status VerifyFileSignature(absl::string_view sig_field,
                                 const Digest& digest,
                                 absl::Span<const Keyring* const> keyrings);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_KEYRING_H_
