// File: lib/quote/attest.h
//
// Strict parsing of what TPM2_Quote returns (TPM 2.0 Library Part 2 §10.12
// TPMS_ATTEST, §11.3.4 TPMT_SIGNATURE), on the verifier side: no TPM, tss2-mu
// only. The bytes are the ones on the wire (protos/candor/v1 README "Binary
// formats"): `Quote.attest` is the TPMS_ATTEST *without* a TPM2B size,
// `Quote.signature` the marshalled TPMT_SIGNATURE.
//
// Strict means: every byte is used (trailing bytes are an error; tss2-mu's
// own unmarshal functions ignore them), magic is TPM_GENERATED_VALUE, the
// type is TPM_ST_ATTEST_QUOTE, `safe` is 0 or 1, PCR banks are known hash
// algorithms, and TPMT_SIGNATURE's sigAlg is a signature scheme tss2 knows.
//
// Errors (absl::Status) carry the failure they stand for in their code;
// QuoteFailureId() maps them to catalogue ids:
//   INVALID_ARGUMENT     quote.malformed (truncated, trailing bytes, magic,
//                        bad field value); the message names field and offset
//   FAILED_PRECONDITION  quote.wrong_type (not TPM_ST_ATTEST_QUOTE)
//   UNIMPLEMENTED        quote.unsupported_algorithm (unknown PCR bank)
//
// All functions are pure and thread-safe; nothing is allocated beyond the
// returned values.
#ifndef CANDOR_LIB_QUOTE_ATTEST_H_
#define CANDOR_LIB_QUOTE_ATTEST_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"

namespace candor::quote {

// TPMS_CLOCK_INFO (Part 2 §10.11.1).
struct ClockInfo {
  uint64_t clock = 0;  // milliseconds the TPM has been powered (NV-backed)
  uint32_t reset_count = 0;    // TPM resets (Startup(CLEAR) after a reset)
  uint32_t restart_count = 0;  // restarts / resumes since the last reset
  bool safe = true;  // false: the clock may have gone back (unorderly stop)
  bool operator==(const ClockInfo& o) const {
    return clock == o.clock && reset_count == o.reset_count &&
           restart_count == o.restart_count && safe == o.safe;
  }
};

// A parsed TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE.
struct QuoteAttest {
  std::string qualified_signer;  // TPM2B_NAME contents (nameAlg ‖ digest)
  std::string extra_data;        // TPM2B_DATA contents: the caller's nonce
  ClockInfo clock_info;
  uint64_t firmware_version = 0;
  tpm::PcrSelection pcr_selection;  // banks in the quote's order
  std::string pcr_digest;           // TPM2B_DIGEST contents
};

// Offsets of the fixed header of a marshalled TPMS_ATTEST.
inline constexpr size_t kAttestMagicOffset = 0;  // TPM2_GENERATED, 4 bytes
inline constexpr size_t kAttestTypeOffset = 4;   // TPM2_ST, 2 bytes

// Parses `attest` (TPMS_ATTEST without a TPM2B size) strictly; see above.
absl::StatusOr<QuoteAttest> ParseQuoteAttest(absl::string_view attest);

// Parses a marshalled TPMT_SIGNATURE strictly: every byte used, and sigAlg
// one of RSASSA, RSAPSS, ECDSA, ECDAA, SM2, ECSCHNORR, HMAC or NULL (the
// union members tss2 can unmarshal). Which scheme and hash are *accepted* is
// the verifier's decision (ak_verifier.h), not the parser's. Errors are
// INVALID_ARGUMENT (quote.malformed) naming the problem and offset.
absl::StatusOr<TPMT_SIGNATURE> ParseSignature(absl::string_view signature);

// The catalogue id a parse error above stands for (quote.malformed,
// quote.wrong_type, quote.unsupported_algorithm); quote.malformed for any
// other non-OK code. Must not be called with an OK status.
absl::string_view QuoteFailureId(const absl::Status& parse_error);

}  // namespace candor::quote

#endif  // CANDOR_LIB_QUOTE_ATTEST_H_
