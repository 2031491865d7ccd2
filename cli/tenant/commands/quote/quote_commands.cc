#include "cli/tenant/commands/quote/quote_commands.h"

#include <memory>

#include "cli/tenant/commands/quote/quote_check.h"

namespace candor::tenant {

void RegisterQuoteCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group = app.add_subcommand("quote", "Check TPM quotes offline");
  group->require_subcommand(1);

  auto o = std::make_shared<QuoteCheckOptions>();
  CLI::App* check = group->add_subcommand(
      "check",
      "Verify a quote made by tpm2_quote (-m/-s/-o files) as the verifier "
      "does: AK signature, nonce, PCR selection, PCR digest, clock. Exit 0 "
      "only when it verifies; 1 with the failures when it does not");
  check
      ->add_option("--ak", o->ak_path,
                   "The AK: PEM or DER public key (tpm2_readpublic -f pem), "
                   "or its TPM2B_PUBLIC (tpm2_createak -f tss -u; preferred: "
                   "it also fixes the signing scheme)")
      ->required();
  check
      ->add_option("--message", o->message_path,
                   "The quoted TPMS_ATTEST (tpm2_quote -m)")
      ->required();
  check
      ->add_option("--signature", o->signature_path,
                   "The TPMT_SIGNATURE (tpm2_quote -s, default tss format)")
      ->required();
  check->add_option("--pcrs", o->pcrs_path, "The PCR values (tpm2_quote -o)")
      ->required();
  check
      ->add_option("--pcrs-format", o->pcrs_format,
                   "Format of --pcrs, as tpm2_quote -F")
      ->check(CLI::IsMember({"serialized", "marshaled", "values"}))
      ->capture_default_str();
  check
      ->add_option("--nonce", o->nonce_hex,
                   "The nonce the quote was asked for, hex (tpm2_quote -q)")
      ->required();
  check->add_option("--pcr-list", o->pcr_list,
                    "The PCR selection the quote was asked for, e.g. "
                    "sha256:0,1,2+sha1:10 (default: the quote's own)");
  check->add_option("--previous-message", o->previous_message_path,
                    "An earlier quote's message from the same TPM: its clock "
                    "must not be ahead of this one's");
  registry.Bind(
      check, [o](const CommandContext& ctx) { return RunQuoteCheck(*o, ctx); });
}

}  // namespace candor::tenant
