#include "tools/common/tpm_target.h"

#include <cstdlib>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/status/status_macros.h"

namespace candor::tools {

std::string ResolveTcti(absl::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  const char* env = std::getenv("TPM2TOOLS_TCTI");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultTcti;
}

absl::StatusOr<std::string> SwtpmControlAddress(absl::string_view tcti) {
  absl::string_view conf = tcti;
  if (!absl::ConsumePrefix(&conf, "swtpm") &&
      !absl::ConsumePrefix(&conf, "mssim")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TCTI \"", tcti,
        "\" is not a swtpm: TCTI; pass the control channel (--ctrl)"));
  }
  absl::ConsumePrefix(&conf, ":");
  std::string host = "127.0.0.1";
  int port = 2321;
  for (absl::string_view kv : absl::StrSplit(conf, ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> p =
        absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (p.first == "host") {
      host = std::string(p.second);
    } else if (p.first == "port") {
      if (!absl::SimpleAtoi(p.second, &port) || port <= 0 || port >= 65535) {
        return absl::InvalidArgumentError(
            absl::StrCat("TCTI \"", tcti, "\": bad port \"", p.second, "\""));
      }
    }
  }
  return absl::StrCat(host, ":", port + 1);
}

absl::StatusOr<std::vector<TPM2_ALG_ID>> ParseBankList(absl::string_view text) {
  std::vector<TPM2_ALG_ID> out;
  std::set<TPM2_ALG_ID> seen;
  for (absl::string_view name : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    ABSL_ASSIGN_OR_RETURN(TPM2_ALG_ID bank, tpm::ParseBankName(name),
                          _ << "bank list \"" << text << "\"");
    if (!seen.insert(bank).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("bank list \"", text, "\": ", name, " is listed twice"));
    }
    out.push_back(bank);
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("bank list \"", text, "\" names no bank"));
  }
  return out;
}

std::string BankListName(const std::vector<TPM2_ALG_ID>& banks) {
  return absl::StrJoin(banks, ",", [](std::string* out, TPM2_ALG_ID b) {
    out->append(tpm::BankName(b));
  });
}

absl::StatusOr<std::vector<TPM2_ALG_ID>> ActiveBanks(tpm::Tpm& tpm) {
  ABSL_ASSIGN_OR_RETURN(tpm::TpmFacts facts, tpm.Facts(),
                        _ << "reading the TPM's PCR banks");
  for (TPM2_ALG_ID bank : facts.pcr_banks) {
    if (bank != TPM2_ALG_SHA1 && bank != TPM2_ALG_SHA256 &&
        bank != TPM2_ALG_SHA384 && bank != TPM2_ALG_SHA512) {
      return absl::FailedPreconditionError(
          absl::StrCat("the TPM has the PCR bank ", tpm::BankName(bank),
                       ", which the emulators cannot hash "
                       "(sha1/sha256/sha384/sha512 only)"));
    }
  }
  if (facts.pcr_banks.empty()) {
    return absl::FailedPreconditionError("the TPM has no PCR bank allocated");
  }
  return facts.pcr_banks;
}

absl::StatusOr<tpm::PcrValues> ReadPcrsIn(tpm::Tpm& tpm,
                                          const std::vector<TPM2_ALG_ID>& banks,
                                          const std::vector<uint32_t>& pcrs) {
  tpm::PcrSelection sel;
  for (TPM2_ALG_ID bank : banks) sel.push_back({bank, pcrs});
  return tpm.ReadPcrs(sel);
}

absl::Status RequireResetValues(const tpm::PcrValues& values,
                                absl::string_view why) {
  for (const auto& [bank, pcrs] : values) {
    for (const auto& [pcr, value] : pcrs) {
      if (value.find_first_not_of('\0') != std::string::npos) {
        return absl::FailedPreconditionError(
            absl::StrCat("PCR ", pcr, " (", tpm::BankName(bank),
                         ") is not at its reset value: ", why));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::tools
