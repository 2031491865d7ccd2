#include "cli/tenant/commands/quote/quote_check.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/tenant/exit_codes.h"
#include "lib/common/file_util.h"
#include "lib/failure/catalogue.h"
#include "lib/quote/pcr_list.h"
#include "lib/quote/tpm2_tools_files.h"
#include "lib/quote/verify.h"
#include "lib/tpm/pcr_values.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {
namespace {

using quote::QuoteResult;

// Reads FILE given with `option`: NOT_FOUND if missing, INVALID_ARGUMENT for
// any other read error; both name the option and the path.
absl::StatusOr<std::string> ReadInput(absl::string_view option,
                                      const std::string& path) {
  absl::StatusOr<std::string> data = ReadFile(path);
  if (data.ok()) return data;
  const absl::StatusCode code =
      data.status().code() == absl::StatusCode::kNotFound
          ? absl::StatusCode::kNotFound
          : absl::StatusCode::kInvalidArgument;
  return absl::Status(
      code, absl::StrCat(option, " ", path, ": ", data.status().message()));
}

absl::Status BadFile(absl::string_view option, const std::string& path,
                     absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(option, " ", path, ": ", why));
}

absl::StatusOr<std::unique_ptr<quote::AkVerifier>> LoadAk(
    const std::string& path) {
  absl::StatusOr<std::string> data = ReadInput("--ak", path);
  if (!data.ok()) return data.status();
  const bool spki = absl::StrContains(*data, "-----BEGIN") ||
                    (!data->empty() && (*data)[0] == '\x30');
  absl::StatusOr<std::unique_ptr<quote::AkVerifier>> ak =
      spki ? quote::AkVerifier::FromSubjectPublicKeyInfo(*data)
           : quote::AkVerifier::Create(*data);
  if (!ak.ok()) {
    return BadFile("--ak", path,
                   absl::StrCat(ak.status().message(),
                                " (expected a PEM or DER public key, or a "
                                "TPM2B_PUBLIC as tpm2_createak -f tss -u "
                                "writes)"));
  }
  return ak;
}

absl::StatusOr<std::string> ParseNonce(const std::string& hex) {
  if (hex.empty() || hex.size() % 2 != 0 ||
      !std::all_of(hex.begin(), hex.end(),
                   [](char c) { return absl::ascii_isxdigit(c); })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--nonce '", hex,
        "' is not a non-empty hex string of whole bytes (as tpm2_quote -q)"));
  }
  return absl::HexStringToBytes(hex);
}

nlohmann::json FailureJson(const candor::v1::Failure& f) {
  nlohmann::json context = nlohmann::json::object();
  for (const auto& [k, v] : f.context()) context[k] = v;
  return {{"id", f.id()},
          {"severity", std::string(failure::SeverityLabel(f.severity()))},
          {"message", f.message()},
          {"context", context}};
}

std::string Hex(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

absl::Status Report(const QuoteResult& r, const CommandContext& context) {
  nlohmann::json failures = nlohmann::json::array();
  nlohmann::json warnings = nlohmann::json::array();
  Table t{{"ITEM", "VALUE"}, {}};
  t.rows.push_back({"result", r.ok() ? "PASSED" : "FAILED"});
  for (const auto& f : r.failures) {
    failures.push_back(FailureJson(f));
    t.rows.push_back({absl::StrCat("failure ", f.id(), " (",
                                   failure::SeverityLabel(f.severity()), ")"),
                      f.message()});
  }
  for (const auto& w : r.warnings) {
    warnings.push_back(FailureJson(w));
    t.rows.push_back({absl::StrCat("warning ", w.id(), " (",
                                   failure::SeverityLabel(w.severity()), ")"),
                      w.message()});
  }
  nlohmann::json signature = nullptr;
  if (r.sig_alg != TPM2_ALG_NULL) {
    signature = {{"scheme", quote::SchemeName(r.sig_alg)},
                 {"hash", tpm::BankName(r.hash_alg)},
                 {"verified", r.signature_verified}};
    t.rows.push_back(
        {"signature",
         absl::StrCat(quote::SchemeName(r.sig_alg), "-",
                      tpm::BankName(r.hash_alg),
                      r.signature_verified ? ", verified" : ", NOT verified")});
  }
  nlohmann::json q = nullptr;
  if (r.attest.has_value()) {
    const quote::QuoteAttest& a = *r.attest;
    const quote::ClockInfo& c = a.clock_info;
    const std::string firmware = absl::StrFormat("0x%016x", a.firmware_version);
    q = {{"clock", c.clock},
         {"reset_count", c.reset_count},
         {"restart_count", c.restart_count},
         {"safe", c.safe},
         {"firmware_version", firmware},
         {"pcr_selection", quote::FormatPcrList(a.pcr_selection)},
         {"pcr_digest", Hex(a.pcr_digest)},
         {"extra_data", Hex(a.extra_data)},
         {"qualified_signer", Hex(a.qualified_signer)}};
    t.rows.push_back(
        {"clock", absl::StrCat(c.clock, " ms (reset_count ", c.reset_count,
                               ", restart_count ", c.restart_count, ", safe ",
                               c.safe ? "yes" : "NO", ")")});
    t.rows.push_back({"firmware version", firmware});
    t.rows.push_back({"pcr selection", quote::FormatPcrList(a.pcr_selection)});
    t.rows.push_back({"pcr digest", Hex(a.pcr_digest)});
    t.rows.push_back({"extra data (nonce)", Hex(a.extra_data)});
    t.rows.push_back({"qualified signer", Hex(a.qualified_signer)});
  }
  nlohmann::json j = {{"ok", r.ok()},
                      {"failures", failures},
                      {"warnings", warnings},
                      {"signature", signature},
                      {"quote", q}};
  if (absl::Status s = context.MakeOutput().Emit(j, t); !s.ok()) return s;
  if (r.ok()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const auto& f : r.failures) ids.push_back(f.id());
  return CheckFailedError(
      absl::StrCat("the quote failed: ", absl::StrJoin(ids, ", ")));
}

}  // namespace

absl::Status RunQuoteCheck(const QuoteCheckOptions& o,
                           const CommandContext& context) {
  absl::StatusOr<std::unique_ptr<quote::AkVerifier>> ak = LoadAk(o.ak_path);
  if (!ak.ok()) return ak.status();
  absl::StatusOr<std::string> nonce = ParseNonce(o.nonce_hex);
  if (!nonce.ok()) return nonce.status();
  absl::StatusOr<quote::PcrsFormat> format =
      quote::ParsePcrsFormat(o.pcrs_format);
  if (!format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--pcrs-format: ", format.status().message()));
  }
  absl::StatusOr<std::string> message = ReadInput("--message", o.message_path);
  if (!message.ok()) return message.status();
  absl::StatusOr<std::string> signature =
      ReadInput("--signature", o.signature_path);
  if (!signature.ok()) return signature.status();
  const absl::string_view attest = quote::AttestFromTpm2ToolsMessage(*message);
  absl::StatusOr<quote::QuoteAttest> parsed = quote::ParseQuoteAttest(attest);

  // The selection asked for: --pcr-list, else the quote's own.
  tpm::PcrSelection requested;
  if (!o.pcr_list.empty()) {
    absl::StatusOr<tpm::PcrSelection> list = quote::ParsePcrList(o.pcr_list);
    if (!list.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--pcr-list: ", list.status().message()));
    }
    requested = *std::move(list);
  } else if (parsed.ok()) {
    requested = parsed->pcr_selection;
  }

  absl::StatusOr<std::string> pcr_file = ReadInput("--pcrs", o.pcrs_path);
  if (!pcr_file.ok()) return pcr_file.status();
  absl::StatusOr<quote::Tpm2ToolsPcrs> pcrs =
      quote::ParseTpm2ToolsPcrs(*pcr_file, *format, requested);
  if (!pcrs.ok()) {
    return BadFile("--pcrs", o.pcrs_path, pcrs.status().message());
  }
  if (requested.empty()) {
    // No --pcr-list, and the message does not parse (VerifyQuote reports it
    // as malformed before it looks at the selection) or selects no bank.
    requested = pcrs->selection.empty()
                    ? tpm::PcrSelection{{TPM2_ALG_SHA256, {0}}}
                    : pcrs->selection;
  }

  quote::QuoteInput in;
  in.attest = attest;
  in.signature = *signature;
  in.pcr_values = &pcrs->values;
  in.requested = &requested;
  in.nonce = *nonce;
  if (!o.previous_message_path.empty()) {
    absl::StatusOr<std::string> previous =
        ReadInput("--previous-message", o.previous_message_path);
    if (!previous.ok()) return previous.status();
    absl::StatusOr<quote::QuoteAttest> earlier =
        quote::ParseQuoteAttest(quote::AttestFromTpm2ToolsMessage(*previous));
    if (!earlier.ok()) {
      return BadFile("--previous-message", o.previous_message_path,
                     earlier.status().message());
    }
    in.previous_clock = earlier->clock_info;
  }
  absl::StatusOr<QuoteResult> result = quote::VerifyQuote(**ak, in);
  if (!result.ok()) {
    // Only a quote whose banks select no PCR gets here (the nonce is
    // non-empty, --pcr-list never yields such a selection).
    return absl::InvalidArgumentError(absl::StrCat(
        result.status().message(),
        o.pcr_list.empty() ? " (the quote selects no PCR; give --pcr-list)"
                           : ""));
  }
  return Report(*result, context);
}

}  // namespace candor::tenant
