#include "lib/quote/verify.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/failure/catalogue.h"
#include "lib/quote/hash.h"
#include "lib/quote/pcr_list.h"

namespace candor::quote {
namespace {

using candor::v1::Failure;

absl::Status CheckRequested(const tpm::PcrSelection& requested) {
  size_t total = 0;
  for (size_t i = 0; i < requested.size(); ++i) {
    const tpm::BankSelection& b = requested[i];
    if (!tpm::BankDigestSize(b.bank).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("VerifyQuote: requested selection names unknown bank ",
                       tpm::BankName(b.bank)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (requested[j].bank == b.bank) {
        return absl::InvalidArgumentError(
            absl::StrCat("VerifyQuote: requested selection names bank ",
                         tpm::BankName(b.bank), " twice"));
      }
    }
    for (size_t k = 0; k < b.pcrs.size(); ++k) {
      if (b.pcrs[k] >= tpm::kNumPcrs || (k > 0 && b.pcrs[k] <= b.pcrs[k - 1])) {
        return absl::InvalidArgumentError(absl::StrCat(
            "VerifyQuote: requested PCRs of bank ", tpm::BankName(b.bank),
            " are not ascending, unique indexes 0..23"));
      }
    }
    total += b.pcrs.size();
  }
  if (total == 0) {
    return absl::InvalidArgumentError(
        "VerifyQuote: the requested selection has no PCR");
  }
  return absl::OkStatus();
}

// `selection` without banks that select no PCR.
bool SameIgnoringEmptyBanks(const tpm::PcrSelection& a,
                            const tpm::PcrSelection& b) {
  auto ia = a.begin(), ib = b.begin();
  while (true) {
    while (ia != a.end() && ia->pcrs.empty()) ++ia;
    while (ib != b.end() && ib->pcrs.empty()) ++ib;
    if (ia == a.end() || ib == b.end()) return ia == a.end() && ib == b.end();
    if (!(*ia == *ib)) return false;
    ++ia;
    ++ib;
  }
}

// Whether `values` hold exactly the PCRs of `selection` (ignoring banks
// without PCRs on either side). Fast path: no allocation.
bool Covers(const tpm::PcrValues& values, const tpm::PcrSelection& selection) {
  size_t selected_banks = 0;
  for (size_t i = 0; i < selection.size(); ++i) {
    const tpm::BankSelection& b = selection[i];
    if (b.pcrs.empty()) continue;
    for (size_t j = 0; j < i; ++j) {
      if (selection[j].bank == b.bank && !selection[j].pcrs.empty()) {
        return false;  // a bank twice cannot be covered by one bank of values
      }
    }
    ++selected_banks;
    auto it = values.find(b.bank);
    if (it == values.end() || it->second.size() != b.pcrs.size()) return false;
    auto pcr = b.pcrs.begin();
    for (const auto& [index, value] : it->second) {
      if (index != *pcr++) return false;
    }
  }
  size_t value_banks = 0;
  for (const auto& [bank, pcrs] : values) value_banks += !pcrs.empty();
  return value_banks == selected_banks;
}

// Describes how `values` differ from `selection` (slow path).
Failure CoverageFailure(const tpm::PcrValues& values,
                        const tpm::PcrSelection& selection) {
  std::vector<std::string> missing, extra, twice;
  tpm::PcrValues expected;
  for (const tpm::BankSelection& b : selection) {
    if (b.pcrs.empty()) continue;
    if (expected.count(b.bank) != 0) twice.push_back(tpm::BankName(b.bank));
    for (uint32_t pcr : b.pcrs) expected[b.bank][pcr];
  }
  for (const auto& [bank, pcrs] : expected) {
    auto it = values.find(bank);
    for (const auto& [pcr, unused] : pcrs) {
      if (it == values.end() || it->second.count(pcr) == 0) {
        missing.push_back(absl::StrCat(tpm::BankName(bank), ":", pcr));
      }
    }
  }
  for (const auto& [bank, pcrs] : values) {
    auto it = expected.find(bank);
    for (const auto& [pcr, unused] : pcrs) {
      if (it == expected.end() || it->second.count(pcr) == 0) {
        extra.push_back(absl::StrCat(tpm::BankName(bank), ":", pcr));
      }
    }
  }
  std::string message =
      "the PCR values do not cover exactly the quoted "
      "selection " +
      FormatPcrList(selection) + ":";
  if (!missing.empty()) {
    absl::StrAppend(&message, " missing ", absl::StrJoin(missing, ","), ";");
  }
  if (!extra.empty()) {
    absl::StrAppend(&message, " not quoted ", absl::StrJoin(extra, ","), ";");
  }
  if (!twice.empty()) {
    absl::StrAppend(&message, " the quote lists bank(s) ",
                    absl::StrJoin(twice, ","), " twice;");
  }
  message.pop_back();
  return failure::MakeFailure(failure::kQuotePcrSelectionMismatch,
                              std::move(message),
                              {{"expected", FormatPcrList(selection)},
                               {"missing", absl::StrJoin(missing, ",")},
                               {"extra", absl::StrJoin(extra, ",")}});
}

// The first PCR value whose size is not its bank's digest size, if any.
std::optional<Failure> CheckValueSizes(const tpm::PcrValues& values) {
  for (const auto& [bank, pcrs] : values) {
    absl::StatusOr<size_t> size = tpm::BankDigestSize(bank);
    for (const auto& [pcr, value] : pcrs) {
      if (!size.ok() || value.size() != *size) {
        return failure::MakeFailure(
            failure::kQuoteMalformed,
            absl::StrCat("PCR value ", tpm::BankName(bank), ":", pcr, " is ",
                         value.size(), " bytes; the bank's digests are ",
                         size.ok() ? absl::StrCat(*size) : "unknown"),
            {{"bank", tpm::BankName(bank)}, {"pcr", absl::StrCat(pcr)}});
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> CheckClock(const ClockInfo& previous,
                                  const ClockInfo& current) {
  std::string why;
  if (current.reset_count < previous.reset_count) {
    why = absl::StrCat("resetCount went back from ", previous.reset_count,
                       " to ", current.reset_count);
  } else if (current.reset_count == previous.reset_count &&
             current.restart_count < previous.restart_count) {
    why = absl::StrCat("restartCount went back from ", previous.restart_count,
                       " to ", current.restart_count, " with resetCount ",
                       current.reset_count, " unchanged");
  } else if (current.reset_count == previous.reset_count &&
             current.restart_count == previous.restart_count &&
             current.clock <= previous.clock) {
    why = absl::StrCat("clock did not advance (", previous.clock, " ms, now ",
                       current.clock, " ms) without a reset or restart");
  } else {
    return std::nullopt;
  }
  return failure::MakeFailure(
      failure::kQuoteClockRegression,
      absl::StrCat("TPM clock regression since the previous quote: ", why,
                   " (an old quote replayed, or another TPM)"),
      {{"expected",
        absl::StrCat("reset_count ", previous.reset_count, ", restart_count ",
                     previous.restart_count, ", clock > ", previous.clock)},
       {"got",
        absl::StrCat("reset_count ", current.reset_count, ", restart_count ",
                     current.restart_count, ", clock ", current.clock)}});
}

absl::StatusOr<QuoteResult> VerifyQuote(const AkVerifier& ak,
                                        const QuoteInput& input) {
  if (input.pcr_values == nullptr || input.requested == nullptr) {
    return absl::InvalidArgumentError(
        "VerifyQuote: pcr_values and requested must be set");
  }
  if (input.nonce.empty()) {
    return absl::InvalidArgumentError("VerifyQuote: the nonce is empty");
  }
  if (absl::Status s = CheckRequested(*input.requested); !s.ok()) return s;

  QuoteResult result;
  // 1-3: an unauthenticated quote ends the checks with one failure.
  absl::StatusOr<QuoteAttest> attest = ParseQuoteAttest(input.attest);
  if (!attest.ok()) {
    result.failures.push_back(
        failure::MakeFailure(QuoteFailureId(attest.status()),
                             std::string(attest.status().message())));
    return result;
  }
  result.attest = *std::move(attest);
  absl::StatusOr<TPMT_SIGNATURE> signature = ParseSignature(input.signature);
  if (!signature.ok()) {
    result.failures.push_back(
        failure::MakeFailure(QuoteFailureId(signature.status()),
                             std::string(signature.status().message())));
    return result;
  }
  result.sig_alg = signature->sigAlg;
  if (result.sig_alg != TPM2_ALG_NULL) {
    result.hash_alg = signature->signature.any.hashAlg;
  }
  if (std::optional<Failure> f = ak.CheckSignature(input.attest, *signature)) {
    result.failures.push_back(*std::move(f));
    return result;
  }
  result.signature_verified = true;
  const QuoteAttest& quote = *result.attest;

  // 4. Freshness.
  if (quote.extra_data.size() != input.nonce.size() ||
      CRYPTO_memcmp(quote.extra_data.data(), input.nonce.data(),
                    input.nonce.size()) != 0) {
    result.failures.push_back(failure::MakeFailure(
        failure::kQuoteNonceMismatch,
        "the quote's extraData is not this cycle's nonce (a replayed or "
        "foreign quote)",
        {{"expected", absl::BytesToHexString(input.nonce)},
         {"got", absl::BytesToHexString(quote.extra_data)}}));
  }
  // 5. The selection asked for.
  if (!SameIgnoringEmptyBanks(quote.pcr_selection, *input.requested)) {
    result.failures.push_back(failure::MakeFailure(
        failure::kQuotePcrSelectionMismatch,
        absl::StrCat("the quote selects ", FormatPcrList(quote.pcr_selection),
                     " but ", FormatPcrList(*input.requested),
                     " was requested"),
        {{"expected", FormatPcrList(*input.requested)},
         {"got", FormatPcrList(quote.pcr_selection)}}));
  }
  // 6-7. The PCR values and the digest over them.
  const tpm::PcrValues& values = *input.pcr_values;
  if (!Covers(values, quote.pcr_selection)) {
    result.failures.push_back(CoverageFailure(values, quote.pcr_selection));
  } else if (std::optional<Failure> f = CheckValueSizes(values)) {
    result.failures.push_back(*std::move(f));
  } else {
    Hasher hasher;
    DigestBuffer digest;
    bool hashed = hasher.Begin(FetchedDigest(result.hash_alg));
    for (const tpm::BankSelection& bank : quote.pcr_selection) {
      if (bank.pcrs.empty()) continue;
      const tpm::PcrBank& bank_values = values.at(bank.bank);
      for (uint32_t pcr : bank.pcrs) {
        hashed = hashed && hasher.Update(bank_values.at(pcr));
      }
    }
    hashed = hashed && hasher.Finish(&digest);
    if (!hashed) {
      return absl::InternalError("VerifyQuote: hashing the PCR values failed");
    }
    if (digest.view() != quote.pcr_digest) {
      result.failures.push_back(failure::MakeFailure(
          failure::kQuotePcrDigestMismatch,
          absl::StrCat(
              "the quote's pcrDigest is not the ",
              tpm::BankName(result.hash_alg),
              " digest of the PCR values returned for ",
              FormatPcrList(quote.pcr_selection),
              ": a PCR changed, or the values are not the quoted ones"),
          {{"expected", absl::BytesToHexString(quote.pcr_digest)},
           {"got", absl::BytesToHexString(digest.view())}}));
    }
  }
  // 8-9. Clock.
  if (input.previous_clock.has_value()) {
    if (std::optional<Failure> f =
            CheckClock(*input.previous_clock, quote.clock_info)) {
      result.failures.push_back(*std::move(f));
    }
  }
  if (!quote.clock_info.safe) {
    result.warnings.push_back(failure::MakeFailure(
        failure::kQuoteClockUnsafe,
        "clockInfo.safe is 0: the TPM restarted without an orderly shutdown "
        "and its clock may have repeated values",
        {{"reset_count", absl::StrCat(quote.clock_info.reset_count)},
         {"restart_count", absl::StrCat(quote.clock_info.restart_count)}}));
  }
  return result;
}

}  // namespace candor::quote
