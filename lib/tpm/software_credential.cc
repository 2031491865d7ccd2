#include "lib/tpm/software_credential.h"

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/kdf.h"
#include "lib/tpm/public_key.h"

namespace candor::tpm {
namespace {

using crypto::OsslPtr;
using crypto::SecretBytes;
using crypto::SslError;

absl::string_view Bytes(const uint8_t* p, size_t n) {
  return absl::string_view(reinterpret_cast<const char*>(p), n);
}

absl::StatusOr<absl::string_view> Tpm2bContents(absl::string_view b,
                                                absl::string_view what) {
  if (b.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": under 2 bytes"));
  }
  size_t n = (static_cast<uint8_t>(b[0]) << 8) | static_cast<uint8_t>(b[1]);
  if (n + 2 != b.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": size field says ", n, " bytes, ", b.size() - 2, " follow"));
  }
  return b.substr(2);
}

absl::StatusOr<SecretBytes> EccSeed(EVP_PKEY* ek, const TPMT_PUBLIC& ek_pub,
                                    absl::string_view secret) {
  TPMS_ECC_POINT point = {};
  size_t off = 0;
  if (Tss2_MU_TPMS_ECC_POINT_Unmarshal(
          reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), &off,
          &point) != TSS2_RC_SUCCESS ||
      off != secret.size()) {
    return absl::InvalidArgumentError(
        "encrypted_secret: not one TPMS_ECC_POINT");
  }
  TPMT_PUBLIC eph = ek_pub;
  eph.unique.ecc = point;
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> eph_key, PublicToEvpPkey(eph),
                        _ << "encrypted_secret");
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, ek, nullptr));
  size_t z_len = 0;
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), eph_key.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &z_len) != 1) {
    return SslError(absl::StatusCode::kInternal, "ECDH");
  }
  SecretBytes z(z_len);
  if (EVP_PKEY_derive(ctx.get(), z.u8data(), &z_len) != 1) {
    return SslError(absl::StatusCode::kInternal, "ECDH derive");
  }
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(ek_pub.nameAlg));
  return KdfE(ek_pub.nameAlg, z.view(), "IDENTITY",
              Bytes(point.x.buffer, point.x.size),
              Bytes(ek_pub.unique.ecc.x.buffer, ek_pub.unique.ecc.x.size),
              static_cast<uint32_t>(EVP_MD_get_size(md)) * 8);
}

absl::StatusOr<SecretBytes> RsaSeed(EVP_PKEY* ek, const EVP_MD* md,
                                    absl::string_view secret) {
  OsslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, ek, nullptr));
  void* label = OPENSSL_memdup("IDENTITY", 9);
  if (ctx == nullptr || label == nullptr ||
      EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), label, 9) != 1) {
    OPENSSL_free(label);
    return SslError(absl::StatusCode::kInternal, "RSA-OAEP setup");
  }
  SecretBytes seed(secret.size());
  size_t len = seed.size();
  if (EVP_PKEY_decrypt(ctx.get(), seed.u8data(), &len,
                       reinterpret_cast<const unsigned char*>(secret.data()),
                       secret.size()) != 1) {
    return SslError(absl::StatusCode::kPermissionDenied,
                    "encrypted_secret: RSA-OAEP decrypt");
  }
  seed.resize(len);
  return seed;
}

}  // namespace

absl::StatusOr<SecretBytes> SoftwareActivateCredential(
    EVP_PKEY* ek_private, const TPMT_PUBLIC& ek, absl::string_view ak_name,
    absl::string_view credential_blob, absl::string_view encrypted_secret) {
  ABSL_ASSIGN_OR_RETURN(absl::string_view id_object,
                        Tpm2bContents(credential_blob, "credential_blob"));
  ABSL_ASSIGN_OR_RETURN(absl::string_view secret,
                        Tpm2bContents(encrypted_secret, "encrypted_secret"));
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(ek.nameAlg));
  const size_t digest = static_cast<size_t>(EVP_MD_get_size(md));
  absl::StatusOr<SecretBytes> seed = ek.type == TPM2_ALG_RSA
                                         ? RsaSeed(ek_private, md, secret)
                                         : EccSeed(ek_private, ek, secret);
  if (!seed.ok()) return seed.status();

  // TPMS_ID_OBJECT: TPM2B_DIGEST integrityHMAC, then encIdentity.
  if (id_object.size() < 2) {
    return absl::InvalidArgumentError("credential_blob: empty ID object");
  }
  const size_t hmac_len = (static_cast<uint8_t>(id_object[0]) << 8) |
                          static_cast<uint8_t>(id_object[1]);
  if (hmac_len != digest || id_object.size() < 2 + hmac_len + 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "credential_blob: integrity HMAC of ", hmac_len, " bytes, expected ",
        digest, " followed by an encrypted identity"));
  }
  absl::string_view outer = id_object.substr(2, hmac_len);
  absl::string_view enc = id_object.substr(2 + hmac_len);
  ABSL_ASSIGN_OR_RETURN(SecretBytes hmac_key,
                        KdfA(ek.nameAlg, seed->view(), "INTEGRITY", "", "",
                             static_cast<uint32_t>(digest * 8)));
  ABSL_ASSIGN_OR_RETURN(std::string expect,
                        Hmac(md, hmac_key.view(), absl::StrCat(enc, ak_name)));
  if (!crypto::ConstantTimeEquals(expect, outer)) {
    return absl::PermissionDeniedError(
        "ActivateCredential: integrity check failed (another EK or AK name)");
  }
  const TPMT_SYM_DEF_OBJECT& sym = ek.type == TPM2_ALG_RSA
                                       ? ek.parameters.rsaDetail.symmetric
                                       : ek.parameters.eccDetail.symmetric;
  const EVP_CIPHER* cipher = sym.keyBits.aes == 128   ? EVP_aes_128_cfb128()
                             : sym.keyBits.aes == 192 ? EVP_aes_192_cfb128()
                             : sym.keyBits.aes == 256 ? EVP_aes_256_cfb128()
                                                      : nullptr;
  if (sym.algorithm != TPM2_ALG_AES || cipher == nullptr) {
    return absl::InvalidArgumentError("EK symmetric algorithm is not AES-CFB");
  }
  ABSL_ASSIGN_OR_RETURN(
      SecretBytes sym_key,
      KdfA(ek.nameAlg, seed->view(), "STORAGE", ak_name, "", sym.keyBits.aes));
  const unsigned char iv[16] = {0};
  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  SecretBytes plain(enc.size() + 16);
  int len = 0, tail = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, sym_key.u8data(), iv) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), plain.u8data(), &len,
                        reinterpret_cast<const unsigned char*>(enc.data()),
                        static_cast<int>(enc.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), plain.u8data() + len, &tail) != 1) {
    return SslError(absl::StatusCode::kInternal, "AES-CFB decrypt");
  }
  plain.resize(static_cast<size_t>(len + tail));
  ABSL_ASSIGN_OR_RETURN(absl::string_view credential,
                        Tpm2bContents(plain.view(), "decrypted credential"));
  return SecretBytes(credential);
}

}  // namespace candor::tpm
