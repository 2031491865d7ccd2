// File: cli/tenant/commands/quote/quote_check.h
//
// `tenant quote check`: verifies a quote offline from the files tpm2-tools
// writes (`tpm2_quote -m MSG -s SIG -o PCRS`, formats in
// lib/quote/tpm2_tools_files.h) with lib/quote, exactly as the verifier
// checks a quote in its cycle: signature with the AK, nonce, PCR selection,
// PCR digest over the values, and the clock against an earlier quote.
//
// Returns OK only when the quote verifies (warnings such as
// quote.clock_unsafe allowed); CheckFailedError (exit 1) after printing the
// failures when a check fails; NOT_FOUND (exit 4) for a missing file and
// INVALID_ARGUMENT (exit 3) for an unreadable or malformed input file or
// value, naming the option and the file. A malformed message or signature is
// not bad input but a failed check (quote.malformed), as in the verifier.
//
// Output (-o json): {"ok", "failures": [{"id", "severity", "message",
// "context"}], "warnings": [...], "signature": {"scheme", "hash",
// "verified"}, "quote": {"clock", "reset_count", "restart_count", "safe",
// "firmware_version" (hex string: it exceeds 2^53), "pcr_selection"
// (tpm2-tools syntax), "pcr_digest", "extra_data", "qualified_signer" (hex)}
// or null when the message does not parse}.
#ifndef CANDOR_CLI_TENANT_COMMANDS_QUOTE_QUOTE_CHECK_H_
#define CANDOR_CLI_TENANT_COMMANDS_QUOTE_QUOTE_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "cli/tenant/command.h"

namespace candor::tenant {

struct QuoteCheckOptions {
  std::string ak_path;  // --ak: PEM/DER SubjectPublicKeyInfo or TPM2B_PUBLIC
  std::string message_path;    // --message (tpm2_quote -m)
  std::string signature_path;  // --signature (tpm2_quote -s, tss format)
  std::string pcrs_path;       // --pcrs (tpm2_quote -o)
  std::string pcrs_format = "serialized";  // --pcrs-format (tpm2_quote -F)
  std::string nonce_hex;                   // --nonce (tpm2_quote -q)
  std::string pcr_list;  // --pcr-list; empty: the quote's own selection
  std::string previous_message_path;  // --previous-message
};

absl::Status RunQuoteCheck(const QuoteCheckOptions& options,
                           const CommandContext& context);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_QUOTE_QUOTE_CHECK_H_
