#include "tools/bootlog/bootlog_commands.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/ima/hex.h"
#include "lib/status/status_macros.h"
#include "tools/bootlog/bootlog.h"
#include "tools/common/tpm_target.h"

namespace candor::tools {

absl::StatusOr<std::vector<TPM2_ALG_ID>> ChooseBanks(tpm::Tpm* tpm,
                                                     const std::string& flag,
                                                     std::string* warning) {
  std::vector<TPM2_ALG_ID> active;
  if (tpm != nullptr) {
    ABSL_ASSIGN_OR_RETURN(active, ActiveBanks(*tpm));
  }
  if (flag.empty()) {
    if (tpm != nullptr) return active;
    return std::vector<TPM2_ALG_ID>{TPM2_ALG_SHA1, TPM2_ALG_SHA256};
  }
  ABSL_ASSIGN_OR_RETURN(std::vector<TPM2_ALG_ID> banks, ParseBankList(flag),
                        _ << "--banks");
  if (tpm == nullptr) return banks;
  for (TPM2_ALG_ID b : banks) {
    if (std::find(active.begin(), active.end(), b) == active.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--banks: the TPM has no ", tpm::BankName(b),
                       " bank (it has ", BankListName(active), ")"));
    }
  }
  if (banks.size() < active.size()) {
    *warning = absl::StrCat(
        "warning: the TPM also has ", BankListName(active),
        " banks; PCRs of banks not in --banks stay at their reset values");
  }
  return banks;
}

std::string DescribePcrs(const tpm::PcrValues& pcrs) {
  std::string out;
  for (const auto& [bank, values] : pcrs) {
    for (const auto& [pcr, value] : values) {
      absl::StrAppend(
          &out, absl::StrFormat("PCR %2d %-6s ", pcr, tpm::BankName(bank)),
          ima::HexEncode(value), "\n");
    }
  }
  return out;
}

absl::StatusOr<std::string> RunBootlogGen(tpm::Tpm* tpm,
                                          const BootlogGenFlags& flags) {
  if (flags.out.empty()) return absl::InvalidArgumentError("--out is required");
  ABSL_ASSIGN_OR_RETURN(BootConfig config, MakeBootConfig(flags.boot));
  std::string warning;
  ABSL_ASSIGN_OR_RETURN(config.banks, ChooseBanks(tpm, flags.banks, &warning));
  ABSL_ASSIGN_OR_RETURN(BootLog log, GenerateBootLog(config));
  ABSL_RETURN_IF_ERROR(
      InstallBootLog(tpm, log, flags.out, config.banks, flags.force));
  ABSL_ASSIGN_OR_RETURN(tpm::PcrValues pcrs, ExpectedPcrs(log, config.banks));
  std::string out =
      absl::StrCat(warning.empty() ? "" : warning + "\n", "wrote ", flags.out,
                   ": ", log.events, " events (",
                   config.secure_boot ? "Secure Boot on" : "Secure Boot off",
                   "), banks ", BankListName(config.banks), "; ",
                   tpm != nullptr ? "extended PCRs 0-9 and 14 to:"
                                  : "not extended; it gives:",
                   "\n", DescribePcrs(pcrs));
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace candor::tools
