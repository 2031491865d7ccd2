#include "tools/ima/file_signer.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/ima/keyring.h"
#include "lib/ima/signature.h"
#include "lib/status/status_macros.h"

namespace candor::tools {

absl::StatusOr<FileSigner> FileSigner::FromPemFile(
    const std::string& path, std::optional<uint32_t> keyid) {
  crypto::OsslPtr<BIO> bio(BIO_new_file(path.c_str(), "r"));
  if (bio == nullptr) {
    crypto::DrainSslErrors();
    return absl::NotFoundError(
        absl::StrCat("signing key ", path, ": cannot open the file"));
  }
  crypto::OsslPtr<EVP_PKEY> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return crypto::SslError(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("signing key ", path, ": not a PEM private key"));
  }
  const bool rsa = EVP_PKEY_is_a(key.get(), "RSA");
  if (!rsa && !EVP_PKEY_is_a(key.get(), "EC")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signing key ", path, ": IMA signatures need an RSA or EC key, not ",
        EVP_PKEY_get0_type_name(key.get())));
  }
  uint32_t id = 0;
  if (keyid.has_value()) {
    id = *keyid;
  } else {
    ABSL_ASSIGN_OR_RETURN(id, ima::KeyIdV2(key.get()),
                          _ << "signing key " << path);
  }
  return FileSigner(std::move(key), id, rsa);
}

absl::StatusOr<std::string> FileSigner::Sign(ima::HashAlgo algo,
                                             absl::string_view digest) const {
  const int kernel_id = ima::KernelHashAlgoId(algo);
  const char* md_name = ima::HashAlgoOpensslName(algo);
  if (kernel_id < 0 || md_name == nullptr ||
      digest.size() != ima::HashAlgoSize(algo)) {
    return absl::InvalidArgumentError(
        absl::StrCat("IMA signature: a ", ima::HashAlgoName(algo),
                     " digest of ", digest.size(), " bytes cannot be signed"));
  }
  crypto::OsslPtr<EVP_MD> md(EVP_MD_fetch(nullptr, md_name, nullptr));
  crypto::OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (md == nullptr || ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      (rsa_ &&
       EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "IMA signature: EVP_PKEY_sign_init");
  }
  const auto* d = reinterpret_cast<const unsigned char*>(digest.data());
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, d, digest.size()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "IMA signature: EVP_PKEY_sign (size)");
  }
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(&sig[0]), &len,
                    d, digest.size()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "IMA signature: EVP_PKEY_sign");
  }
  sig.resize(len);
  return ima::SerializeSignatureV2(static_cast<uint8_t>(kernel_id), keyid_,
                                   sig);
}

}  // namespace candor::tools
