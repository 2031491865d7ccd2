#include "lib/revocation/notice.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_error.h"
#include "lib/status/status_macros.h"

namespace candor::revocation {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

enum class SigKind { kEcdsa, kRsaPss };

absl::StatusOr<SigKind> KindOf(EVP_PKEY* key, absl::string_view what) {
  if (key == nullptr)
    return absl::InvalidArgumentError(absl::StrCat(what, ": no key"));
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC:
      return SigKind::kEcdsa;
    case EVP_PKEY_RSA:
      return SigKind::kRsaPss;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": key is neither EC nor RSA"));
  }
}

// Sets up `ctx` for SHA-256 signing or verification with the key's scheme.
absl::Status InitDigestCtx(EVP_MD_CTX* ctx, EVP_PKEY* key, SigKind kind,
                           bool sign) {
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const int rc = sign ? EVP_DigestSignInit_ex(ctx, &pctx, "SHA256", nullptr,
                                              nullptr, key, nullptr)
                      : EVP_DigestVerifyInit_ex(ctx, &pctx, "SHA256", nullptr,
                                                nullptr, key, nullptr);
  if (rc != 1) {
    return SslError(absl::StatusCode::kInternal,
                    sign ? "EVP_DigestSignInit_ex" : "EVP_DigestVerifyInit_ex");
  }
  if (kind == SigKind::kRsaPss) {
    char pss[] = OSSL_PKEY_RSA_PAD_MODE_PSS;
    char sha256[] = "SHA256";
    int salt = 32;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, pss, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                         sha256, 0),
        OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &salt),
        OSSL_PARAM_construct_end()};
    if (EVP_PKEY_CTX_set_params(pctx, params) != 1) {
      return SslError(absl::StatusCode::kInternal,
                      "EVP_PKEY_CTX_set_params(RSA-PSS)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SignBytes(absl::string_view data, EVP_PKEY* key) {
  ABSL_ASSIGN_OR_RETURN(SigKind kind, KindOf(key, "SignNotice"));
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr)
    return SslError(absl::StatusCode::kInternal, "EVP_MD_CTX_new");
  ABSL_RETURN_IF_ERROR(InitDigestCtx(ctx.get(), key, kind, /*sign=*/true));
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestSign");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &len, in, data.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestSign");
  }
  sig.resize(len);
  return sig;
}

}  // namespace

absl::StatusOr<RevocationSigner> LoadRevocationSigner(
    const std::string& cert_path, const std::string& key_path) {
  ABSL_ASSIGN_OR_RETURN(std::string cert_text, ReadFile(cert_path));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<X509> cert, crypto::ParseCertificate(cert_text),
                        _ << "revocation certificate " << cert_path);
  absl::StatusOr<std::string> key_text = ReadFile(key_path);
  if (!key_text.ok()) return key_text.status();
  crypto::SecretBytes key_pem(*key_text);
  std::fill(key_text->begin(), key_text->end(), '\0');
  RevocationSigner signer;
  ABSL_ASSIGN_OR_RETURN(signer.key, crypto::PrivateKeyFromPem(key_pem.view()),
                        _ << "revocation key " << key_path);
  ABSL_RETURN_IF_ERROR(
      KindOf(signer.key.get(), absl::StrCat("revocation key ", key_path))
          .status());
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> cert_key,
                        crypto::CertificatePublicKey(cert.get()),
                        _ << "revocation certificate " << cert_path);
  if (!crypto::PublicKeysEqual(cert_key.get(), signer.key.get())) {
    return absl::InvalidArgumentError(
        absl::StrCat("revocation key ", key_path,
                     " does not match the certificate ", cert_path));
  }
  ABSL_ASSIGN_OR_RETURN(signer.cert_der, crypto::CertificateToDer(cert.get()));
  return signer;
}

absl::StatusOr<v1::RevocationNotice> SignNotice(
    const v1::RevocationMessage& message, EVP_PKEY* key,
    absl::string_view signer_cert_der) {
  v1::RevocationNotice notice;
  if (!message.SerializeToString(notice.mutable_message())) {
    return absl::InternalError("SignNotice: serializing the message failed");
  }
  ABSL_ASSIGN_OR_RETURN(*notice.mutable_signature(),
                        SignBytes(notice.message(), key));
  notice.set_signer_certificate(std::string(signer_cert_der));
  return notice;
}

absl::StatusOr<v1::RevocationNotice> SignNotice(
    const v1::RevocationMessage& message, const RevocationSigner& signer) {
  return SignNotice(message, signer.key.get(), signer.cert_der);
}

absl::StatusOr<v1::RevocationMessage> VerifyNotice(
    const v1::RevocationNotice& notice, const crypto::CaStore& ca) {
  if (notice.message().empty()) {
    return absl::InvalidArgumentError("notice.message: empty");
  }
  if (notice.signature().empty()) {
    return absl::InvalidArgumentError("notice.signature: empty");
  }
  if (notice.signer_certificate().empty()) {
    return absl::InvalidArgumentError("notice.signer_certificate: empty");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(
      notice.signer_certificate().data());
  OsslPtr<X509> cert(d2i_X509(
      nullptr, &p,
      static_cast<long>(notice.signer_certificate().size())));  // NOLINT
  if (cert == nullptr || p != reinterpret_cast<const unsigned char*>(
                                  notice.signer_certificate().data()) +
                                  notice.signer_certificate().size()) {
    crypto::DrainSslErrors();
    return absl::InvalidArgumentError(
        "notice.signer_certificate: not one DER X.509 certificate");
  }
  const std::string subject = crypto::SubjectString(cert.get());
  ABSL_RETURN_IF_ERROR(ca.Verify(cert.get()).status())
      << "notice.signer_certificate";
  const std::vector<std::string> ous = crypto::OrganizationalUnits(cert.get());
  if (std::find(ous.begin(), ous.end(), kRevocationOu) == ous.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "notice.signer_certificate ", subject,
        " is not a revocation signer (no OU=", kRevocationOu, ")"));
  }
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key,
                        crypto::CertificatePublicKey(cert.get()));
  absl::StatusOr<SigKind> kind = KindOf(key.get(), "notice.signer_certificate");
  if (!kind.ok()) return absl::PermissionDeniedError(kind.status().message());
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr)
    return SslError(absl::StatusCode::kInternal, "EVP_MD_CTX_new");
  ABSL_RETURN_IF_ERROR(InitDigestCtx(ctx.get(), key.get(), *kind, false));
  const std::string& sig = notice.signature();
  const std::string& msg = notice.message();
  if (EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
          sig.size(), reinterpret_cast<const unsigned char*>(msg.data()),
          msg.size()) != 1) {
    crypto::DrainSslErrors();
    return absl::PermissionDeniedError(absl::StrCat(
        "notice.signature does not verify over notice.message with the key of ",
        subject));
  }
  v1::RevocationMessage message;
  if (!message.ParseFromString(msg)) {
    return absl::InvalidArgumentError(
        "notice.message: not a serialized RevocationMessage");
  }
  if (message.agent_id().empty()) {
    return absl::InvalidArgumentError("notice.message.agent_id: empty");
  }
  if (message.event_cursor().empty()) {
    return absl::InvalidArgumentError("notice.message.event_cursor: empty");
  }
  return message;
}

absl::StatusOr<crypto::CaStore> LoadCaBundle(const std::string& pem_path) {
  ABSL_ASSIGN_OR_RETURN(std::string text, ReadFile(pem_path));
  OsslPtr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr)
    return SslError(absl::StatusCode::kInternal, "BIO_new_mem_buf");
  std::vector<OsslPtr<X509>> owned;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    owned.emplace_back(cert);
  }
  crypto::DrainSslErrors();  // the read that ends the loop reports "no start
                             // line"
  if (owned.empty()) {
    // A single DER certificate is accepted too.
    absl::StatusOr<OsslPtr<X509>> der = crypto::ParseCertificate(text);
    if (!der.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CA file ", pem_path, " holds no certificate"));
    }
    owned.push_back(std::move(*der));
  }
  std::vector<X509*> certs;
  for (const OsslPtr<X509>& c : owned) certs.push_back(c.get());
  return crypto::CaStore::FromCertificates(certs, pem_path);
}

}  // namespace candor::revocation
