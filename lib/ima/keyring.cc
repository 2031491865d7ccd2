#include "lib/ima/keyring.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/ima/hasher.h"
#include "lib/ima/signature.h"
#include "lib/status/status_macros.h"

namespace candor::ima {
namespace {

using crypto::OsslPtr;

struct X509PubkeyFree {
  void operator()(X509_PUBKEY* p) const { X509_PUBKEY_free(p); }
};

absl::Status CheckKeyType(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "EC")) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("key type ", EVP_PKEY_get0_type_name(key),
                   " is not supported for IMA signatures (RSA, EC)"));
}

std::shared_ptr<EVP_PKEY> Share(OsslPtr<EVP_PKEY> key) {
  return std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
}

absl::StatusOr<KeyringKey> FromCertificate(X509* cert) {
  OsslPtr<EVP_PKEY> key(X509_get_pubkey(cert));
  if (key == nullptr) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument,
                            "X509_get_pubkey");
  }
  ABSL_RETURN_IF_ERROR(CheckKeyType(key.get()));
  KeyringKey k;
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(cert);
  if (skid != nullptr && ASN1_STRING_length(skid) >= 4) {
    const unsigned char* d = ASN1_STRING_get0_data(skid);
    const int n = ASN1_STRING_length(skid);
    k.keyid = (uint32_t{d[n - 4]} << 24) | (uint32_t{d[n - 3]} << 16) |
              (uint32_t{d[n - 2]} << 8) | uint32_t{d[n - 1]};
  } else {
    ABSL_ASSIGN_OR_RETURN(k.keyid, KeyIdV2(key.get()));
  }
  ABSL_ASSIGN_OR_RETURN(k.spki_der, crypto::PublicKeyToDer(key.get()));
  k.key = Share(std::move(key));
  return k;
}

absl::StatusOr<KeyringKey> FromPublicKey(OsslPtr<EVP_PKEY> key) {
  ABSL_RETURN_IF_ERROR(CheckKeyType(key.get()));
  KeyringKey k;
  ABSL_ASSIGN_OR_RETURN(k.keyid, KeyIdV2(key.get()));
  ABSL_ASSIGN_OR_RETURN(k.spki_der, crypto::PublicKeyToDer(key.get()));
  k.key = Share(std::move(key));
  return k;
}

absl::Status VerifyWithKey(EVP_PKEY* key, const Digest& digest,
                           absl::string_view sig) {
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (ctx == nullptr || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "EVP_PKEY_verify_init");
  }
  OsslPtr<EVP_MD> md(
      EVP_MD_fetch(nullptr, HashAlgoOpensslName(digest.algo), nullptr));
  if (md == nullptr) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument, "EVP_MD_fetch");
  }
  if (EVP_PKEY_is_a(key, "RSA") &&
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal, "set_rsa_padding");
  }
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), md.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument,
                            "EVP_PKEY_CTX_set_signature_md");
  }
  const int rc = EVP_PKEY_verify(
      ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
      digest.bytes, digest.size);
  if (rc == 1) return absl::OkStatus();
  return crypto::SslError(absl::StatusCode::kUnauthenticated,
                          "EVP_PKEY_verify");
}

}  // namespace

absl::StatusOr<uint32_t> KeyIdV2(const EVP_PKEY* key) {
  X509_PUBKEY* raw = nullptr;
  if (X509_PUBKEY_set(&raw, const_cast<EVP_PKEY*>(key)) != 1) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument,
                            "X509_PUBKEY_set");
  }
  std::unique_ptr<X509_PUBKEY, X509PubkeyFree> xpk(raw);
  const unsigned char* bits = nullptr;
  int len = 0;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, xpk.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument,
                            "X509_PUBKEY_get0_param");
  }
  ABSL_ASSIGN_OR_RETURN(Hasher sha1, Hasher::Create(HashAlgo::kSha1));
  ABSL_ASSIGN_OR_RETURN(
      std::string d,
      sha1.Digest(absl::string_view(reinterpret_cast<const char*>(bits), len)));
  const auto* p = reinterpret_cast<const uint8_t*>(d.data()) + 16;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

absl::StatusOr<KeyringKey> ParseKeyDer(absl::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert != nullptr &&
      p == reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return FromCertificate(cert.get());
  }
  ERR_clear_error();
  absl::StatusOr<OsslPtr<EVP_PKEY>> key = crypto::PublicKeyFromDer(der);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("neither a DER X.509 certificate nor a DER public key (",
                     key.status().message(), ")"));
  }
  return FromPublicKey(*std::move(key));
}

absl::StatusOr<std::vector<KeyringKey>> ParseKeysPem(absl::string_view pem) {
  OsslPtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) {
    return crypto::SslError(absl::StatusCode::kInternal, "BIO_new_mem_buf");
  }
  std::vector<KeyringKey> keys;
  for (int block = 1;; ++block) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      ERR_clear_error();
      break;
    }
    const std::string type(name);
    const std::string der(reinterpret_cast<const char*>(data), len);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (type != "CERTIFICATE" && type != "PUBLIC KEY") {
      return absl::InvalidArgumentError(absl::StrCat(
          "PEM block ", block, " is a ", type,
          "; only CERTIFICATE and PUBLIC KEY blocks are accepted"));
    }
    absl::StatusOr<KeyringKey> k = ParseKeyDer(der);
    if (!k.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PEM block ", block, " (", type, "): ", k.status().message()));
    }
    keys.push_back(*std::move(k));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError("no PEM CERTIFICATE or PUBLIC KEY block");
  }
  return keys;
}

void Keyring::Add(KeyringKey key) {
  for (const KeyringKey& k : keys_) {
    if (k.keyid == key.keyid && k.spki_der == key.spki_der) return;
  }
  keys_.push_back(std::move(key));
}

absl::Status VerifyFileSignature(absl::string_view sig_field,
                                 const Digest& digest,
                                 absl::Span<const Keyring* const> keyrings) {
  ABSL_ASSIGN_OR_RETURN(SignatureV2 sig, ParseSignatureV2(sig_field));
  if (sig.algo != digest.algo) {
    return absl::InvalidArgumentError(absl::StrCat("signature is over a ",
                                                   HashAlgoName(sig.algo),
                                                   " digest, the file "
                                                   "digest is ",
                                                   HashAlgoName(digest.algo)));
  }
  bool found = false;
  absl::Status last;
  for (const Keyring* ring : keyrings) {
    if (ring == nullptr) continue;
    for (const KeyringKey& k : ring->keys()) {
      if (k.keyid != sig.keyid) continue;
      found = true;
      last = VerifyWithKey(k.key.get(), digest, sig.sig);
      if (last.ok()) return last;
    }
  }
  if (!found) {
    return absl::NotFoundError(
        absl::StrFormat("no key with keyid %08x", sig.keyid));
  }
  return absl::UnauthenticatedError(absl::StrFormat(
      "signature does not verify with the key(s) of keyid %08x (%s)", sig.keyid,
      last.message()));
}

}  // namespace candor::ima
