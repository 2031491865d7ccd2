#include "services/registrar/make_credential.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/secret.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/kdf.h"

namespace candor::registrar {
namespace {

using crypto::OsslPtr;
using crypto::SecretBytes;
using crypto::SslError;

std::string Be16(size_t v) {
  const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  return std::string(b, 2);
}

const TPMT_SYM_DEF_OBJECT& Symmetric(const TPMT_PUBLIC& ek) {
  return ek.type == TPM2_ALG_RSA ? ek.parameters.rsaDetail.symmetric
                                 : ek.parameters.eccDetail.symmetric;
}

absl::StatusOr<SecretBytes> RandomBytes(size_t n) {
  SecretBytes out(n);
  if (RAND_bytes(out.u8data(), static_cast<int>(n)) != 1) {
    return SslError(absl::StatusCode::kInternal, "RAND_bytes");
  }
  return out;
}

struct SeedAndSecret {
  SecretBytes seed;
  std::string secret;  // TPM2B_ENCRYPTED_SECRET contents (no size)
};

absl::StatusOr<SeedAndSecret> RsaSeed(EVP_PKEY* ek_key, const EVP_MD* md) {
  ABSL_ASSIGN_OR_RETURN(SecretBytes seed,
                        RandomBytes(static_cast<size_t>(EVP_MD_get_size(md))));
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, ek_key, nullptr));
  if (ctx == nullptr || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return SslError(absl::StatusCode::kInternal, "RSA-OAEP setup");
  }
  static constexpr char kLabel[] = "IDENTITY";  // sizeof includes the NUL
  void* label = OPENSSL_memdup(kLabel, sizeof(kLabel));
  if (label == nullptr ||
      EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), label, sizeof(kLabel)) != 1) {
    OPENSSL_free(label);
    return SslError(absl::StatusCode::kInternal,
                    "EVP_PKEY_CTX_set0_rsa_oaep_label");
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, seed.u8data(), seed.size()) !=
      1) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_encrypt (size)");
  }
  std::string secret(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(),
                       reinterpret_cast<unsigned char*>(secret.data()), &len,
                       seed.u8data(), seed.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_encrypt");
  }
  secret.resize(len);
  return SeedAndSecret{std::move(seed), std::move(secret)};
}

absl::StatusOr<std::string> BnParam(EVP_PKEY* key, const char* name,
                                    size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    return SslError(absl::StatusCode::kInternal,
                    absl::StrCat("EVP_PKEY_get_bn_param(", name, ")"));
  }
  OsslPtr<BIGNUM> bn(raw);
  std::string out(width, '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()),
                   static_cast<int>(width)) != static_cast<int>(width)) {
    return SslError(absl::StatusCode::kInternal, "BN_bn2binpad");
  }
  return out;
}

absl::StatusOr<SeedAndSecret> EccSeed(EVP_PKEY* ek_key, const TPMT_PUBLIC& ek) {
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_utf8_string_param(ek_key, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                     sizeof(group), &group_len) != 1) {
    return SslError(absl::StatusCode::kInternal, "EK curve name");
  }
  OsslPtr<EVP_PKEY> eph(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group));
  if (eph == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_Q_keygen(EC)");
  }
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, eph.get(), nullptr));
  size_t z_len = 0;
  if (ctx == nullptr || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), ek_key) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &z_len) != 1) {
    return SslError(absl::StatusCode::kInvalidArgument, "ECDH with the EK");
  }
  SecretBytes z(z_len);
  if (EVP_PKEY_derive(ctx.get(), z.u8data(), &z_len) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_PKEY_derive");
  }
  z.resize(z_len);
  const size_t field =
      (static_cast<size_t>(EVP_PKEY_get_bits(eph.get())) + 7) / 8;
  ABSL_ASSIGN_OR_RETURN(std::string x,
                        BnParam(eph.get(), OSSL_PKEY_PARAM_EC_PUB_X, field));
  ABSL_ASSIGN_OR_RETURN(std::string y,
                        BnParam(eph.get(), OSSL_PKEY_PARAM_EC_PUB_Y, field));
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(ek.nameAlg));
  const absl::string_view ek_x(
      reinterpret_cast<const char*>(ek.unique.ecc.x.buffer),
      ek.unique.ecc.x.size);
  ABSL_ASSIGN_OR_RETURN(SecretBytes seed,
                        tpm::KdfE(ek.nameAlg, z.view(), "IDENTITY", x, ek_x,
                             static_cast<uint32_t>(EVP_MD_get_size(md)) * 8));
  TPMS_ECC_POINT point = {};
  if (field > sizeof(point.x.buffer)) {
    return absl::InvalidArgumentError("EK curve too large for TPMS_ECC_POINT");
  }
  point.x.size = static_cast<UINT16>(field);
  point.y.size = static_cast<UINT16>(field);
  std::memcpy(point.x.buffer, x.data(), field);
  std::memcpy(point.y.buffer, y.data(), field);
  uint8_t buf[sizeof(TPMS_ECC_POINT)];
  size_t off = 0;
  TSS2_RC rc = Tss2_MU_TPMS_ECC_POINT_Marshal(&point, buf, sizeof(buf), &off);
  if (rc != TSS2_RC_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("Tss2_MU_TPMS_ECC_POINT_Marshal: ", Tss2_RC_Decode(rc)));
  }
  return SeedAndSecret{std::move(seed),
                       std::string(reinterpret_cast<char*>(buf), off)};
}

absl::StatusOr<std::string> AesCfbEncrypt(absl::string_view key,
                                          absl::string_view plaintext) {
  const EVP_CIPHER* cipher = nullptr;
  switch (key.size()) {
    case 16:
      cipher = EVP_aes_128_cfb128();
      break;
    case 24:
      cipher = EVP_aes_192_cfb128();
      break;
    case 32:
      cipher = EVP_aes_256_cfb128();
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("AES key of ", key.size(), " bytes"));
  }
  const unsigned char iv[16] = {0};
  OsslPtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), cipher, nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         iv) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_EncryptInit_ex(AES-CFB)");
  }
  std::string out(plaintext.size() + 16, '\0');
  int len = 0, tail = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_EncryptUpdate(
          ctx.get(), o, &len,
          reinterpret_cast<const unsigned char*>(plaintext.data()),
          static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), o + len, &tail) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_EncryptUpdate(AES-CFB)");
  }
  out.resize(static_cast<size_t>(len + tail));
  return out;
}

}  // namespace

absl::Status CheckCredentialEk(const TPMT_PUBLIC& ek) {
  if (ek.type != TPM2_ALG_RSA && ek.type != TPM2_ALG_ECC) {
    return absl::InvalidArgumentError(absl::StrCat(
        "EK type ", tpm::TpmAlgName(ek.type), " is neither RSA nor ECC"));
  }
  const TPMA_OBJECT attrs = ek.objectAttributes;
  if ((attrs & TPMA_OBJECT_RESTRICTED) == 0) {
    return absl::InvalidArgumentError("EK lacks the restricted attribute");
  }
  if ((attrs & TPMA_OBJECT_DECRYPT) == 0) {
    return absl::InvalidArgumentError("EK lacks the decrypt attribute");
  }
  if ((attrs & TPMA_OBJECT_SIGN_ENCRYPT) != 0) {
    return absl::InvalidArgumentError(
        "EK has the sign attribute set (a storage key must not sign)");
  }
  if (ek.nameAlg != TPM2_ALG_SHA256 && ek.nameAlg != TPM2_ALG_SHA384 &&
      ek.nameAlg != TPM2_ALG_SHA512) {
    return absl::InvalidArgumentError(
        absl::StrCat("EK nameAlg ", tpm::TpmAlgName(ek.nameAlg),
                     " is not SHA-256, SHA-384 or SHA-512"));
  }
  const TPMT_SYM_DEF_OBJECT& sym = Symmetric(ek);
  if (sym.algorithm != TPM2_ALG_AES || sym.mode.aes != TPM2_ALG_CFB ||
      (sym.keyBits.aes != 128 && sym.keyBits.aes != 192 &&
       sym.keyBits.aes != 256)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "EK symmetric algorithm is ", tpm::TpmAlgName(sym.algorithm), " (mode ",
        tpm::TpmAlgName(sym.mode.aes), ", ", sym.keyBits.aes,
        " bits); MakeCredential needs AES-128/192/256 in CFB mode"));
  }
  if (ek.type == TPM2_ALG_RSA) {
    const unsigned bits = ek.parameters.rsaDetail.keyBits;
    if (bits < 2048 || bits > 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("RSA EK of ", bits, " bits (2048..4096 accepted)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<MakeCredentialResult> MakeCredential(
    const TPMT_PUBLIC& ek, absl::string_view ak_name,
    absl::string_view credential) {
  ABSL_RETURN_IF_ERROR(CheckCredentialEk(ek)) << "MakeCredential";
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(ek.nameAlg));
  const size_t digest = static_cast<size_t>(EVP_MD_get_size(md));
  if (credential.empty() || credential.size() > digest) {
    return absl::InvalidArgumentError(
        absl::StrCat("MakeCredential: credential of ", credential.size(),
                     " bytes; the EK's nameAlg allows 1..", digest));
  }
  if (ak_name.size() < 2 || ak_name.size() > sizeof(TPMU_NAME)) {
    return absl::InvalidArgumentError(
        absl::StrCat("MakeCredential: AK name of ", ak_name.size(), " bytes"));
  }
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> ek_key, tpm::PublicToEvpPkey(ek),
                        _ << "MakeCredential: EK public key");
  absl::StatusOr<SeedAndSecret> seed = ek.type == TPM2_ALG_RSA
                                           ? RsaSeed(ek_key.get(), md)
                                           : EccSeed(ek_key.get(), ek);
  if (!seed.ok()) return seed.status();

  const uint32_t sym_bits = Symmetric(ek).keyBits.aes;
  ABSL_ASSIGN_OR_RETURN(
      SecretBytes sym_key,
      tpm::KdfA(ek.nameAlg, seed->seed.view(), "STORAGE", ak_name, "", sym_bits));
  SecretBytes plaintext(Be16(credential.size()));
  plaintext.append(credential);
  ABSL_ASSIGN_OR_RETURN(std::string enc_identity,
                        AesCfbEncrypt(sym_key.view(), plaintext.view()));
  ABSL_ASSIGN_OR_RETURN(SecretBytes hmac_key,
                        tpm::KdfA(ek.nameAlg, seed->seed.view(), "INTEGRITY", "", "",
                             static_cast<uint32_t>(digest * 8)));
  ABSL_ASSIGN_OR_RETURN(
      std::string outer_hmac,
      tpm::Hmac(md, hmac_key.view(), absl::StrCat(enc_identity, ak_name)));

  const std::string id_object =
      absl::StrCat(Be16(outer_hmac.size()), outer_hmac, enc_identity);
  if (seed->secret.size() > sizeof(TPMU_ENCRYPTED_SECRET)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MakeCredential: encrypted secret of ", seed->secret.size(),
        " bytes does not fit a TPM2B_ENCRYPTED_SECRET"));
  }
  MakeCredentialResult out;
  out.credential_blob = absl::StrCat(Be16(id_object.size()), id_object);
  out.encrypted_secret = absl::StrCat(Be16(seed->secret.size()), seed->secret);
  return out;
}

}  // namespace candor::registrar
