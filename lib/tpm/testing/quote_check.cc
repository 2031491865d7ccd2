#include "lib/tpm/testing/quote_check.h"

#include <openssl/ecdsa.h>
#include <openssl/pem.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/tpm_marshal.h"

namespace candor::tpm::testing {
namespace {

using crypto::OsslPtr;

absl::StatusOr<std::string> EcdsaDer(const TPMS_SIGNATURE_ECC& ecc) {
  OsslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(ecc.signatureR.buffer, ecc.signatureR.size, nullptr);
  BIGNUM* s = BN_bin2bn(ecc.signatureS.buffer, ecc.signatureS.size, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return crypto::SslError(absl::StatusCode::kInternal, "ECDSA_SIG_set0");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return crypto::SslError(absl::StatusCode::kInternal, "i2d_ECDSA_SIG");
  }
  std::string out(reinterpret_cast<const char*>(der), len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

absl::StatusOr<TPMS_ATTEST> CheckQuote(absl::string_view ak_public,
                                       const TpmQuote& quote,
                                       absl::string_view nonce,
                                       const PcrSelection& selection) {
  ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC ak, ParseTpm2bPublic(ak_public));
  ABSL_ASSIGN_OR_RETURN(TPMS_ATTEST attest, ParseAttest(quote.attest));
  if (attest.magic != TPM2_GENERATED_VALUE) {
    return absl::InvalidArgumentError("attest magic is not TPM_GENERATED");
  }
  if (attest.type != TPM2_ST_ATTEST_QUOTE) {
    return absl::InvalidArgumentError("attest is not a quote");
  }
  if (Tpm2bBytes(attest.extraData) != nonce) {
    return absl::InvalidArgumentError("extraData is not the nonce");
  }
  ABSL_ASSIGN_OR_RETURN(PcrSelection quoted,
                        SelectionFromTpml(attest.attested.quote.pcrSelect));
  if (!(quoted == selection)) {
    return absl::InvalidArgumentError("the quoted PCR selection differs");
  }
  ABSL_ASSIGN_OR_RETURN(TPMT_SIGNATURE sig, ParseSignature(quote.signature));
  TPMI_ALG_HASH hash = TPM2_ALG_NULL;
  std::string raw_sig;
  if (sig.sigAlg == TPM2_ALG_RSASSA && ak.publicArea.type == TPM2_ALG_RSA) {
    hash = sig.signature.rsassa.hash;
    raw_sig = Tpm2bBytes(sig.signature.rsassa.sig);
  } else if (sig.sigAlg == TPM2_ALG_ECDSA &&
             ak.publicArea.type == TPM2_ALG_ECC) {
    hash = sig.signature.ecdsa.hash;
    ABSL_ASSIGN_OR_RETURN(raw_sig, EcdsaDer(sig.signature.ecdsa));
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "signature algorithm ", TpmAlgName(sig.sigAlg),
        " does not fit the AK type ", TpmAlgName(ak.publicArea.type)));
  }
  ABSL_ASSIGN_OR_RETURN(std::string digest,
                        QuotePcrDigest(hash, selection, quote.pcrs));
  if (digest != Tpm2bBytes(attest.attested.quote.pcrDigest)) {
    return absl::InvalidArgumentError(
        "pcrDigest does not match the returned PCR values");
  }
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, TpmHashToEvp(hash));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, PublicToEvpPkey(ak.publicArea));
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "EVP_DigestVerifyInit");
  }
  if (EVP_DigestVerify(
          ctx.get(), reinterpret_cast<const unsigned char*>(raw_sig.data()),
          raw_sig.size(),
          reinterpret_cast<const unsigned char*>(quote.attest.data()),
          quote.attest.size()) != 1) {
    return crypto::SslError(absl::StatusCode::kInvalidArgument,
                            "quote signature does not verify");
  }
  return attest;
}

absl::StatusOr<std::string> PublicAreaPem(absl::string_view public_area) {
  ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC ak, ParseTpm2bPublic(public_area));
  ABSL_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, PublicToEvpPkey(ak.publicArea));
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            "PEM_write_bio_PUBKEY");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace candor::tpm::testing
