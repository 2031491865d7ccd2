// File: lib/quote/testing/quote_builder.h  (testonly)
//
// Quotes signed by a software key, for tests, the fuzzer and the benchmark:
// every field of the TPMS_ATTEST can be set (wrong magic, type, clock, ...)
// and still be correctly signed, which no real TPM would do.
//
//   ABSL_ASSIGN_OR_RETURN(SoftwareAk ak, SoftwareAk::Generate(
//       SoftwareAk::kRsa2048, TPM2_ALG_RSASSA, TPM2_ALG_SHA256));
//   QuoteFields q;  q.extra_data = nonce;  q.pcr_selection = sel;
//   q.pcr_digest = PcrDigest(TPM2_ALG_SHA256, sel, values);
//   std::string attest = MarshalAttest(q);
//   std::string sig = ak.Sign(attest);
//
// Nothing here is secret. Functions return "" / errors only on OpenSSL or
// marshalling failures (bugs in the test). Not thread-safe beyond OpenSSL's
// own guarantees for distinct objects.
#ifndef CANDOR_LIB_QUOTE_TESTING_QUOTE_BUILDER_H_
#define CANDOR_LIB_QUOTE_TESTING_QUOTE_BUILDER_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/quote/attest.h"
#include "lib/tpm/pcr_values.h"

namespace candor::quote::testing {

class SoftwareAk {
 public:
  enum Kind { kRsa2048, kEccP256, kEccP384 };

  // A fresh key of `kind` whose TPM2B_PUBLIC names `scheme` and `hash` as
  // its signing scheme (TPM2_ALG_NULL for none).
  static absl::StatusOr<SoftwareAk> Generate(Kind kind, TPM2_ALG_ID scheme,
                                             TPM2_ALG_ID hash);

  // The marshalled TPM2B_PUBLIC of a restricted signing key (attributes as
  // tpm2_createak sets them, nameAlg SHA-256, RSA exponent 0).
  const std::string& tpm2b_public() const { return tpm2b_public_; }
  // DER SubjectPublicKeyInfo.
  std::string SpkiDer() const;

  // A marshalled TPMT_SIGNATURE over `data` with the key's scheme and hash,
  // or the ones given. RSAPSS uses a salt as long as the digest (as
  // libtpms does); ECDSA r and s are padded to the field size.
  std::string Sign(absl::string_view data) const;
  std::string Sign(absl::string_view data, TPM2_ALG_ID scheme,
                   TPM2_ALG_ID hash) const;

  const EVP_PKEY* key() const { return key_.get(); }

 private:
  crypto::OsslPtr<EVP_PKEY> key_;
  Kind kind_ = kRsa2048;
  TPM2_ALG_ID scheme_ = TPM2_ALG_NULL;
  TPM2_ALG_ID hash_ = TPM2_ALG_NULL;
  std::string tpm2b_public_;
};

// Every field of a quote's TPMS_ATTEST, defaulting to a valid quote.
struct QuoteFields {
  uint32_t magic = TPM2_GENERATED_VALUE;
  uint16_t type = TPM2_ST_ATTEST_QUOTE;
  std::string qualified_signer =
      std::string("\x00\x0b", 2) + std::string(32, '\x42');
  std::string extra_data;
  uint64_t clock = 1000;
  uint32_t reset_count = 2;
  uint32_t restart_count = 0;
  uint8_t safe = 1;
  uint64_t firmware_version = 0x2019102300163636;
  tpm::PcrSelection pcr_selection;
  std::string pcr_digest;
};

// The marshalled TPMS_ATTEST (no TPM2B size).
std::string MarshalAttest(const QuoteFields& fields);

// H_hash(values of `selection` in order) — what TPM2_Quote puts in
// pcrDigest. Missing values hash as nothing.
std::string PcrDigest(TPM2_ALG_ID hash, const tpm::PcrSelection& selection,
                      const tpm::PcrValues& values);

// Values for every PCR of `selection`: each byte = (pcr + 1) * seed + bank.
tpm::PcrValues MakePcrValues(const tpm::PcrSelection& selection,
                             uint8_t seed = 1);

}  // namespace candor::quote::testing

#endif  // CANDOR_LIB_QUOTE_TESTING_QUOTE_BUILDER_H_
