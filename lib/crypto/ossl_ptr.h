// File: lib/crypto/ossl_ptr.h
//
// OsslPtr<T>: a std::unique_ptr that frees an OpenSSL object with the right
// *_free function (after Tink's internal/ssl_unique_ptr.h). Every OpenSSL
// handle Candor owns lives in one of these from the line that creates it:
//
//   OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
//   if (ctx == nullptr) return SslError(absl::StatusCode::kInternal,
//                                       "EVP_MD_CTX_new");
//
// There is one explicit OsslDeleter specialization per type; using OsslPtr
// with a type that has none is a compile error (the primary template is only
// declared). OsslPtr<STACK_OF(X509)> owns the stack *and* its certificates
// (sk_X509_pop_free with X509_free): push only certificates you own a
// reference to (X509_up_ref first).
//
// ASN1_STRING, ASN1_OCTET_STRING, ASN1_INTEGER, ... are one C type in OpenSSL,
// so OsslPtr<ASN1_OCTET_STRING>, OsslPtr<ASN1_TIME> and their siblings all
// use ASN1_STRING_free.
//
// Thread-safety: as std::unique_ptr; the pointee's own rules apply.
#ifndef CANDOR_LIB_CRYPTO_OSSL_PTR_H_
#define CANDOR_LIB_CRYPTO_OSSL_PTR_H_

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace candor::crypto {

// Deliberately undefined: each supported type has a specialization below.
template <typename T>
struct OsslDeleter;

template <typename T>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T>>;

#define CANDOR_OSSL_DELETER_(type, free_fn)        \
  template <>                                      \
  struct OsslDeleter<type> {                       \
    void operator()(type* p) const { free_fn(p); } \
  }

// Keys, digests, MACs, ciphers, KDFs.
CANDOR_OSSL_DELETER_(EVP_PKEY, EVP_PKEY_free);
CANDOR_OSSL_DELETER_(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
CANDOR_OSSL_DELETER_(EVP_MD, EVP_MD_free);  // for EVP_MD_fetch results
CANDOR_OSSL_DELETER_(EVP_MD_CTX, EVP_MD_CTX_free);
CANDOR_OSSL_DELETER_(EVP_MAC, EVP_MAC_free);
CANDOR_OSSL_DELETER_(EVP_MAC_CTX, EVP_MAC_CTX_free);
CANDOR_OSSL_DELETER_(EVP_CIPHER, EVP_CIPHER_free);  // for EVP_CIPHER_fetch
CANDOR_OSSL_DELETER_(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
CANDOR_OSSL_DELETER_(EVP_KDF, EVP_KDF_free);
CANDOR_OSSL_DELETER_(EVP_KDF_CTX, EVP_KDF_CTX_free);
CANDOR_OSSL_DELETER_(ECDSA_SIG, ECDSA_SIG_free);

// Parameters and big numbers. BN_clear_free: BIGNUMs may hold secrets.
CANDOR_OSSL_DELETER_(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
CANDOR_OSSL_DELETER_(OSSL_PARAM, OSSL_PARAM_free);
CANDOR_OSSL_DELETER_(BIGNUM, BN_clear_free);
CANDOR_OSSL_DELETER_(BN_CTX, BN_CTX_free);

// Certificates.
CANDOR_OSSL_DELETER_(X509, X509_free);
CANDOR_OSSL_DELETER_(X509_NAME, X509_NAME_free);
CANDOR_OSSL_DELETER_(X509_EXTENSION, X509_EXTENSION_free);
CANDOR_OSSL_DELETER_(X509_STORE, X509_STORE_free);
CANDOR_OSSL_DELETER_(X509_STORE_CTX, X509_STORE_CTX_free);
CANDOR_OSSL_DELETER_(GENERAL_NAME, GENERAL_NAME_free);
CANDOR_OSSL_DELETER_(ASN1_STRING, ASN1_STRING_free);
CANDOR_OSSL_DELETER_(ASN1_OBJECT, ASN1_OBJECT_free);

// I/O.
CANDOR_OSSL_DELETER_(BIO, BIO_free_all);

#undef CANDOR_OSSL_DELETER_

// Stacks own their elements.
template <>
struct OsslDeleter<STACK_OF(X509)> {
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
template <>
struct OsslDeleter<GENERAL_NAMES> {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};

}  // namespace candor::crypto

#endif  // CANDOR_LIB_CRYPTO_OSSL_PTR_H_
