#include "tools/common/digest_spec.h"

#include <openssl/evp.h>

#include <set>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/common/file_util.h"
#include "lib/crypto/digest.h"
#include "lib/ima/hex.h"
#include "lib/status/status_macros.h"

namespace candor::tools {
namespace {

const EVP_MD* BankMd(TPM2_ALG_ID bank) {
  switch (bank) {
    case TPM2_ALG_SHA1:
      return EVP_sha1();
    case TPM2_ALG_SHA256:
      return EVP_sha256();
    case TPM2_ALG_SHA384:
      return EVP_sha384();
    case TPM2_ALG_SHA512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

absl::Status BadSpec(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "digest \"", text, "\": ", why,
      " (want sha256:HEX[,sha1:HEX...], file:PATH or text:LABEL)"));
}

}  // namespace

absl::StatusOr<std::string> BankHash(TPM2_ALG_ID bank, absl::string_view data) {
  const EVP_MD* md = BankMd(bank);
  if (md == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot hash for PCR bank ", tpm::BankName(bank)));
  }
  return crypto::Digest(md, data);
}

absl::StatusOr<tpm::PcrDigests> HashInBanks(
    absl::string_view data, const std::vector<TPM2_ALG_ID>& banks) {
  tpm::PcrDigests out;
  for (TPM2_ALG_ID bank : banks) {
    ABSL_ASSIGN_OR_RETURN(out[bank], BankHash(bank, data));
  }
  return out;
}

absl::StatusOr<DigestSpec> ParseDigestSpec(absl::string_view text) {
  DigestSpec spec;
  absl::string_view rest = text;
  if (absl::ConsumePrefix(&rest, "file:")) {
    if (rest.empty()) return BadSpec(text, "empty path");
    spec.kind = DigestSpec::Kind::kFile;
    spec.value = std::string(rest);
    return spec;
  }
  if (absl::ConsumePrefix(&rest, "text:")) {
    spec.kind = DigestSpec::Kind::kText;
    spec.value = std::string(rest);
    return spec;
  }
  spec.kind = DigestSpec::Kind::kDigests;
  std::set<TPM2_ALG_ID> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    absl::StatusOr<TPM2_ALG_ID> bank = tpm::ParseBankName(kv.first);
    if (!bank.ok() || BankMd(*bank) == nullptr) {
      return BadSpec(text,
                     absl::StrCat("unknown algorithm \"", kv.first, "\""));
    }
    if (!seen.insert(*bank).second) {
      return BadSpec(text, absl::StrCat(kv.first, " is given twice"));
    }
    ABSL_ASSIGN_OR_RETURN(size_t size, tpm::BankDigestSize(*bank));
    std::string raw(kv.second.size() / 2, '\0');
    if (kv.second.size() != 2 * size ||
        !ima::HexDecodeTo(kv.second, reinterpret_cast<uint8_t*>(&raw[0]))) {
      return BadSpec(text, absl::StrCat("the ", kv.first, " digest must be ",
                                        2 * size, " hex digits"));
    }
    spec.digests.emplace_back(*bank, std::move(raw));
  }
  return spec;
}

absl::StatusOr<tpm::PcrDigests> ResolveDigestSpec(
    const DigestSpec& spec, const std::vector<TPM2_ALG_ID>& banks) {
  switch (spec.kind) {
    case DigestSpec::Kind::kText:
      return HashInBanks(spec.value, banks);
    case DigestSpec::Kind::kFile: {
      ABSL_ASSIGN_OR_RETURN(std::string contents, ReadFile(spec.value),
                            _ << "digest file:" << spec.value);
      return HashInBanks(contents, banks);
    }
    case DigestSpec::Kind::kDigests:
      break;
  }
  tpm::PcrDigests out;
  for (TPM2_ALG_ID bank : banks) {
    const std::string* given = nullptr;
    for (const auto& [b, d] : spec.digests) {
      if (b == bank) given = &d;
    }
    if (given != nullptr) {
      out[bank] = *given;
    } else {
      ABSL_ASSIGN_OR_RETURN(out[bank], BankHash(bank, spec.digests[0].second));
    }
  }
  return out;
}

}  // namespace candor::tools
