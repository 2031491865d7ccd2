#include "tools/agent_sim/sim_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <tss2/tss2_mu.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/x509.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/ek_template.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/tpm_marshal.h"

namespace candor::agent_sim {
namespace {

using crypto::OsslPtr;
using crypto::SslError;

constexpr char kCaFile[] = "agent-sim-ek-ca.pem";

absl::Status GetBn(const EVP_PKEY* key, const char* param, size_t size,
                   uint8_t* out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) {
    return SslError(absl::StatusCode::kInternal,
                    absl::StrCat("EVP_PKEY_get_bn_param(", param, ")"));
  }
  OsslPtr<BIGNUM> bn(raw);
  if (BN_bn2binpad(bn.get(), out, static_cast<int>(size)) < 0) {
    return SslError(absl::StatusCode::kInternal, "BN_bn2binpad");
  }
  return absl::OkStatus();
}

absl::Status SetPoint(const EVP_PKEY* key, TPMS_ECC_POINT& point) {
  point.x.size = point.y.size = 32;
  ABSL_RETURN_IF_ERROR(
      GetBn(key, OSSL_PKEY_PARAM_EC_PUB_X, 32, point.x.buffer));
  return GetBn(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32, point.y.buffer);
}

}  // namespace

absl::StatusOr<SimEk> SimEk::Generate() {
  SimEk ek;
  ABSL_ASSIGN_OR_RETURN(ek.key,
                        crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256));
  TPM2B_PUBLIC pub = tpm::EkTemplateEccP256L2();
  ABSL_RETURN_IF_ERROR(SetPoint(ek.key.get(), pub.publicArea.unique.ecc));
  ek.pub = pub.publicArea;
  ek.tpm2b_public = tpm::MarshalTpm2bPublic(pub);
  if (ek.tpm2b_public.empty()) {
    return absl::InternalError("SimEk: marshalling TPM2B_PUBLIC");
  }
  return ek;
}

absl::StatusOr<SimAk> SimAk::Generate() {
  SimAk ak;
  ABSL_ASSIGN_OR_RETURN(ak.key,
                        crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256));
  TPM2B_PUBLIC pub = {};
  TPMT_PUBLIC& p = pub.publicArea;
  p.type = TPM2_ALG_ECC;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                       TPMA_OBJECT_SENSITIVEDATAORIGIN |
                       TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_RESTRICTED |
                       TPMA_OBJECT_SIGN_ENCRYPT;
  p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
  p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
  p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  ABSL_RETURN_IF_ERROR(SetPoint(ak.key.get(), p.unique.ecc));
  ak.tpm2b_public = tpm::MarshalTpm2bPublic(pub);
  if (ak.tpm2b_public.empty()) {
    return absl::InternalError("SimAk: marshalling TPM2B_PUBLIC");
  }
  ABSL_ASSIGN_OR_RETURN(ak.name, tpm::ComputeName(p));
  return ak;
}

absl::StatusOr<std::string> SimAk::Sign(absl::string_view data) const {
  const std::string digest = crypto::Sha256(data);
  OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  size_t len = 0;
  if (ctx == nullptr || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len,
                    reinterpret_cast<const unsigned char*>(digest.data()),
                    digest.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "ECDSA sign setup");
  }
  std::string der(len, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()),
                    &len, reinterpret_cast<const unsigned char*>(digest.data()),
                    digest.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "ECDSA sign");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  OsslPtr<ECDSA_SIG> value(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (value == nullptr)
    return SslError(absl::StatusCode::kInternal, "d2i_ECDSA_SIG");
  TPMT_SIGNATURE sig = {};
  sig.sigAlg = TPM2_ALG_ECDSA;
  TPMS_SIGNATURE_ECC& ecc = sig.signature.ecdsa;
  ecc.hash = TPM2_ALG_SHA256;
  ecc.signatureR.size = ecc.signatureS.size = 32;
  if (BN_bn2binpad(ECDSA_SIG_get0_r(value.get()), ecc.signatureR.buffer, 32) !=
          32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(value.get()), ecc.signatureS.buffer, 32) !=
          32) {
    return absl::InternalError("ECDSA signature: r or s over 32 bytes");
  }
  std::string out = tpm::MarshalSignature(sig);
  if (out.empty()) return absl::InternalError("marshalling TPMT_SIGNATURE");
  return out;
}

absl::StatusOr<SimCa> SimCa::Generate() {
  SimCa ca;
  ABSL_ASSIGN_OR_RETURN(ca.key_,
                        crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256));
  crypto::CertificateSpec spec;
  spec.common_name = "Candor agent simulator EK CA";
  spec.organizational_unit = "agent-sim";
  spec.is_ca = true;
  spec.validity = absl::Hours(24 * 365 * 10);
  ABSL_ASSIGN_OR_RETURN(ca.cert_, crypto::IssueCertificate(spec, ca.key_.get(),
                                                           nullptr, nullptr));
  return ca;
}

absl::StatusOr<std::string> SimCa::WritePem(const std::string& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("--ek_ca_out: cannot create ", dir, ": ", ec.message()));
  }
  ABSL_ASSIGN_OR_RETURN(std::string pem, crypto::CertificateToPem(cert_.get()));
  const std::string path = absl::StrCat(dir, "/", kCaFile);
  ABSL_RETURN_IF_ERROR(WriteFileAtomically(path, pem)) << "--ek_ca_out";
  return path;
}

absl::StatusOr<std::string> SimCa::IssueEkCertificate(
    EVP_PKEY* ek, const std::string& agent_id) const {
  crypto::CertificateSpec spec;
  spec.common_name = agent_id;
  spec.organizational_unit = "simulated EK";
  spec.validity = absl::Hours(24 * 365 * 10);
  ABSL_ASSIGN_OR_RETURN(
      OsslPtr<X509> cert,
      crypto::IssueCertificate(spec, ek, cert_.get(), key_.get()));
  return crypto::CertificateToDer(cert.get());
}

}  // namespace candor::agent_sim
