#include "lib/ima/boot_aggregate.h"

#include "absl/strings/str_cat.h"
#include "lib/failure/catalogue.h"
#include "lib/ima/hasher.h"
#include "lib/ima/hex.h"
#include "lib/status/status_macros.h"

namespace candor::ima {

absl::StatusOr<std::string> ExpectedBootAggregate(HashAlgo algo,
                                                  const tpm::PcrValues& pcrs) {
  const TPM2_ALG_ID bank = HashAlgoToBank(algo);
  if (bank == TPM2_ALG_ERROR) {
    return absl::InvalidArgumentError(absl::StrCat(
        "boot_aggregate: ", HashAlgoName(algo), " has no PCR bank"));
  }
  const std::string bank_name = tpm::BankName(bank);
  auto it = pcrs.find(bank);
  if (it == pcrs.end()) {
    return absl::NotFoundError(absl::StrCat("boot_aggregate: the quote has no ",
                                            bank_name, " PCR bank"));
  }
  const uint32_t last = algo == HashAlgo::kSha1 ? 7 : 9;
  std::string concat;
  for (uint32_t pcr = 0; pcr <= last; ++pcr) {
    auto v = it->second.find(pcr);
    if (v == it->second.end()) {
      return absl::NotFoundError(absl::StrCat(
          "boot_aggregate: the quote has no ", bank_name, " PCR ", pcr));
    }
    if (v->second.size() != HashAlgoSize(algo)) {
      return absl::NotFoundError(absl::StrCat("boot_aggregate: ", bank_name,
                                              " PCR ", pcr, " has ",
                                              v->second.size(), " bytes"));
    }
    concat += v->second;
  }
  ABSL_ASSIGN_OR_RETURN(Hasher h, Hasher::Create(algo));
  return h.Digest(concat);
}

bool CheckBootAggregate(const Entry& entry, uint64_t index,
                        const tpm::PcrValues& pcrs,
                        std::vector<candor::v1::Failure>* findings) {
  const std::string line = absl::StrCat(index + 1);
  const std::string path(entry.path);
  if (entry.path != kBootAggregateName || entry.violation) {
    findings->push_back(failure::MakeFailure(
        failure::kImaBootAggregateMismatch,
        absl::StrCat("line ", line, ": the first IMA entry is ",
                     entry.violation ? "a violation on '" : "'", entry.path,
                     "', not boot_aggregate"),
        {{"line", line}, {"path", path}}));
    return false;
  }
  absl::StatusOr<std::string> want =
      ExpectedBootAggregate(entry.digest.algo, pcrs);
  if (!want.ok()) {
    const bool missing = want.status().code() == absl::StatusCode::kNotFound;
    findings->push_back(failure::MakeFailure(
        missing ? failure::kPcrMissing : failure::kImaBootAggregateMismatch,
        absl::StrCat("line ", line, ": ", want.status().message()),
        {{"line", line}, {"path", path}}));
    return false;
  }
  if (*want != entry.digest.view()) {
    findings->push_back(failure::MakeFailure(
        failure::kImaBootAggregateMismatch,
        absl::StrCat("line ", line, ": boot_aggregate ", entry.digest_field,
                     " is not ", HashAlgoName(entry.digest.algo),
                     " of the quoted boot PCRs (", HexEncode(*want), ")"),
        {{"line", line},
         {"path", path},
         {"digest", std::string(entry.digest_field)},
         {"expected", HexEncode(*want)}}));
    return false;
  }
  return true;
}

}  // namespace candor::ima
