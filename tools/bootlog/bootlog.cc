#include "tools/bootlog/bootlog.h"

#include <stdio.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/status/status_macros.h"
#include "tools/bootlog/boot_events.h"
#include "tools/bootlog/tcg_encode.h"
#include "tools/common/digest_spec.h"
#include "tools/common/tpm_target.h"

namespace candor::tools {

absl::StatusOr<BootLog> GenerateBootLog(const BootConfig& config) {
  BootConfig c = config;
  std::sort(c.banks.begin(), c.banks.end());
  if (c.banks.empty()) {
    return absl::InvalidArgumentError("boot log: no PCR bank");
  }
  for (TPM2_ALG_ID bank : c.banks) {
    ABSL_RETURN_IF_ERROR(BankHash(bank, "").status()) << "boot log";
  }
  ABSL_ASSIGN_OR_RETURN(std::vector<BootEvent> events, BuildBootEvents(c));
  BootLog log;
  log.bytes = SpecIdEvent(c.banks);
  for (const BootEvent& e : events) {
    absl::StrAppend(&log.bytes,
                    PcrEvent2(e.pcr, e.type, c.banks, e.digests, e.data));
    log.extends.push_back({e.pcr, e.digests});
  }
  log.events = events.size();
  return log;
}

absl::StatusOr<tpm::PcrValues> ExpectedPcrs(
    const BootLog& log, const std::vector<TPM2_ALG_ID>& banks) {
  tpm::PcrValues out;
  for (TPM2_ALG_ID bank : banks) {
    ABSL_ASSIGN_OR_RETURN(size_t size, tpm::BankDigestSize(bank));
    for (uint32_t pcr : BootPcrs()) out[bank][pcr] = std::string(size, '\0');
  }
  for (const tpm::PcrExtend& e : log.extends) {
    for (const auto& [bank, digest] : e.digests) {
      auto it = out.find(bank);
      if (it == out.end()) continue;
      std::string& v = it->second[e.pcr];
      ABSL_ASSIGN_OR_RETURN(v, BankHash(bank, v + digest));
    }
  }
  return out;
}

absl::Status ExtendBootLog(tpm::Tpm& tpm, const BootLog& log,
                           const std::vector<TPM2_ALG_ID>& banks, bool force) {
  if (!force) {
    ABSL_ASSIGN_OR_RETURN(tpm::PcrValues now,
                          ReadPcrsIn(tpm, banks, BootPcrs()));
    ABSL_RETURN_IF_ERROR(RequireResetValues(
        now,
        "this TPM has measured a boot since its last reset; reboot it first "
        "(reboot_sim), or pass --force"));
  }
  return tpm.ExtendPcrMany(log.extends);
}

absl::Status InstallBootLog(tpm::Tpm* tpm, const BootLog& log,
                            const std::string& path,
                            const std::vector<TPM2_ALG_ID>& banks, bool force) {
  if (tpm == nullptr) return WriteFileAtomically(path, log.bytes);
  const std::string staged = path + ".new";
  ABSL_RETURN_IF_ERROR(WriteFileAtomically(staged, log.bytes));
  absl::Status extended = ExtendBootLog(*tpm, log, banks, force);
  if (!extended.ok()) {
    std::remove(staged.c_str());
    return extended;
  }
  if (std::rename(staged.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat(
        "boot log: renaming ", staged, " to ", path,
        " failed after the PCRs were extended; the log is in ", staged));
  }
  return absl::OkStatus();
}

}  // namespace candor::tools
