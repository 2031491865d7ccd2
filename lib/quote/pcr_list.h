// File: lib/quote/pcr_list.h
//
// PCR selections in the text form tpm2-tools uses (`tpm2_quote -l`,
// `tpm2_pcrread`): banks separated by '+', each "bank:pcr,pcr,...", e.g.
// "sha256:0,1,2,10+sha1:10". Used by the tenant CLI and in messages.
//
// Pure functions, thread-safe.
#ifndef CANDOR_LIB_QUOTE_PCR_LIST_H_
#define CANDOR_LIB_QUOTE_PCR_LIST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/pcr_values.h"

namespace candor::quote {

// Parses "sha256:0,1,2+sha1:10". Banks by name (lib/tpm BankName:
// sha1, sha256, sha384, sha512, sm3_256; case-insensitive), each at most
// once, in the given order; PCRs are decimal indexes 0..23 or "all" (0..23),
// listed in any order but each once, returned ascending. INVALID_ARGUMENT
// naming the bad part otherwise (an empty list, a bank without PCRs, ...).
absl::StatusOr<tpm::PcrSelection> ParsePcrList(absl::string_view text);

// The inverse: "sha256:0,1,2+sha1:10"; a bank without PCRs prints as
// "sha256:" and an empty selection as "".
std::string FormatPcrList(const tpm::PcrSelection& selection);

}  // namespace candor::quote

#endif  // CANDOR_LIB_QUOTE_PCR_LIST_H_
