// File: lib/quote/verify.h
//
// Verification of one TPM quote against what the verifier asked for
// (DESIGN.md "One attestation cycle", step 2; TPM 2.0 Library Part 3 §18.4
// TPM2_Quote). Pure: no TPM, no I/O.
//
//   QuoteInput in;
//   in.attest = quote.attest();  in.signature = quote.signature();
//   in.pcr_values = &values;     in.requested = &selection;
//   in.nonce = nonce;            in.previous_clock = stored_clock;
//   ABSL_ASSIGN_OR_RETURN(QuoteResult r, VerifyQuote(*ak, in));
//   if (!r.ok()) { /* r.failures: quote.* ids, end the cycle */ }
//
// Checks, in order; each failure has its own catalogue id
// (lib/failure/catalogue.h):
//   1. TPMS_ATTEST parses strictly (attest.h)   quote.malformed,
//                                               quote.wrong_type,
//                                               quote.unsupported_algorithm
//   2. TPMT_SIGNATURE parses strictly           quote.malformed
//   3. the signature verifies with the AK over  quote.bad_signature,
//      the attest bytes as received             quote.unsupported_algorithm
//   -- a failure in 1-3 stops here: nothing in an unauthenticated quote can
//      be believed, so only that one failure is reported --
//   4. extraData == nonce (constant time)       quote.nonce_mismatch
//   5. the quoted selection == the requested    quote.pcr_selection_mismatch
//      one (banks in the same order, same PCRs; banks without PCRs ignored)
//   6. the PCR values cover exactly the         quote.pcr_selection_mismatch
//      quoted selection, each value the bank's  quote.malformed (size)
//      digest size
//   7. pcrDigest == H(values in selection       quote.pcr_digest_mismatch
//      order, banks in selection order); H is
//      the signature's hash (TPM2_Quote digests
//      with the signing scheme's hash). Skipped
//      when 6 failed.
//   8. clockInfo against previous_clock, if     quote.clock_regression
//      given (CheckClock below)
//   9. clockInfo.safe == 0                      quote.clock_unsafe (WARNING:
//                                               in `warnings`, not a failure)
// Checks 4-9 all run once the signature verified, so every problem of an
// authentic quote is reported at once.
//
// Errors (absl::Status) only for misuse, never for bad evidence: a null
// pcr_values or requested, an empty nonce, or a requested selection that is
// invalid (no PCR at all, an unknown bank, a bank twice, PCRs not ascending
// and unique, an index >= 24) answer INVALID_ARGUMENT.
//
// Thread-safe: VerifyQuote only reads its arguments; one AkVerifier may be
// used by many threads at once.
#ifndef CANDOR_LIB_QUOTE_VERIFY_H_
#define CANDOR_LIB_QUOTE_VERIFY_H_

#include <tss2/tss2_tpm2_types.h>

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "lib/quote/ak_verifier.h"
#include "lib/quote/attest.h"
#include "lib/tpm/pcr_values.h"

namespace candor::quote {

// What arrived and what was asked for. Views and pointers: the caller keeps
// the referenced data alive during VerifyQuote.
struct QuoteInput {
  absl::string_view attest;     // TPMS_ATTEST, without a TPM2B size
  absl::string_view signature;  // TPMT_SIGNATURE
  const tpm::PcrValues* pcr_values = nullptr;    // the agent's PCR values
  const tpm::PcrSelection* requested = nullptr;  // the selection asked for
  absl::string_view nonce;  // the cycle's nonce (must be non-empty)
  // The clockInfo of the last quote accepted from this TPM, if any.
  std::optional<ClockInfo> previous_clock;
};

struct QuoteResult {
  // The parsed TPMS_ATTEST when it parsed (check 1), even if a later check
  // failed; only trustworthy when signature_verified.
  std::optional<QuoteAttest> attest;
  // The signature's scheme and hash when it parsed (TPM2_ALG_NULL if not).
  TPM2_ALG_ID sig_alg = TPM2_ALG_NULL;
  TPM2_ALG_ID hash_alg = TPM2_ALG_NULL;
  bool signature_verified = false;
  // Findings with the catalogue's default severities; `failures` fail the
  // quote, `warnings` (quote.clock_unsafe) are recorded only.
  std::vector<candor::v1::Failure> failures;
  std::vector<candor::v1::Failure> warnings;

  // True when the quote passed: authentic, fresh and matching the values.
  bool ok() const { return signature_verified && failures.empty(); }
};

absl::StatusOr<QuoteResult> VerifyQuote(const AkVerifier& ak,
                                        const QuoteInput& input);

// Check 8 alone: nullopt when `current` may follow `previous`, else a
// quote.clock_regression failure. Rules: resetCount never decreases;
// restartCount never decreases while resetCount stays (a reset sets it back
// to 0); when both stay, the clock must strictly increase. Across a reset or
// restart the clock is not compared: after an unorderly shutdown it
// legitimately lags (swtpm's did by ~760 ms, see testdata/README.md), which
// `safe == 0` reports.
std::optional<candor::v1::Failure> CheckClock(const ClockInfo& previous,
                                              const ClockInfo& current);

}  // namespace candor::quote

#endif  // CANDOR_LIB_QUOTE_VERIFY_H_
