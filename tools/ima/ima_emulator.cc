#include "tools/ima/ima_emulator.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "lib/status/status_macros.h"
#include "tools/common/digest_spec.h"
#include "tools/common/tpm_target.h"

namespace candor::tools {
namespace {

// How many of `extends` (applied in order from `before`) give `now`; -1 when
// no prefix does.
absl::StatusOr<int64_t> AppliedPrefix(
    const tpm::PcrValues& before, const tpm::PcrValues& now,
    absl::Span<const tpm::PcrExtend> extends) {
  tpm::PcrValues running = before;
  if (running == now) return 0;
  for (size_t i = 0; i < extends.size(); ++i) {
    for (const auto& [bank, digest] : extends[i].digests) {
      std::string& v = running[bank][kImaPcr];
      ABSL_ASSIGN_OR_RETURN(v, BankHash(bank, v + digest));
    }
    if (running == now) return static_cast<int64_t>(i + 1);
  }
  return -1;
}

absl::Status AppendBatch(tpm::Tpm& tpm, ImaLogFile& log,
                         absl::Span<const ImaRecord> records,
                         const std::vector<TPM2_ALG_ID>& banks,
                         uint64_t* kept) {
  std::vector<tpm::PcrExtend> extends;
  extends.reserve(records.size());
  std::string text;
  std::vector<uint64_t> ends;  // text size after each line
  for (const ImaRecord& r : records) {
    ABSL_ASSIGN_OR_RETURN(tpm::PcrExtend e, Pcr10Extend(r, banks));
    extends.push_back(std::move(e));
    absl::StrAppend(&text, r.line, "\n");
    ends.push_back(text.size());
  }
  ABSL_ASSIGN_OR_RETURN(tpm::PcrValues before,
                        ReadPcrsIn(tpm, banks, {kImaPcr}),
                        _ << "reading PCR 10 before extending");
  ABSL_ASSIGN_OR_RETURN(uint64_t size, log.Size());
  ABSL_RETURN_IF_ERROR(log.Append(text));
  absl::Status extended = tpm.ExtendPcrMany(extends);
  if (extended.ok()) {
    *kept += records.size();
    return absl::OkStatus();
  }
  absl::StatusOr<tpm::PcrValues> now = ReadPcrsIn(tpm, banks, {kImaPcr});
  if (!now.ok()) {
    return absl::Status(
        extended.code(),
        absl::StrCat(extended.message(), "; PCR 10 cannot be read back (",
                     now.status().message(), "): ", log.path(),
                     " may be ahead of PCR 10 by up to ", records.size(),
                     " entries"));
  }
  ABSL_ASSIGN_OR_RETURN(int64_t applied, AppliedPrefix(before, *now, extends));
  if (applied < 0) {
    return absl::Status(
        extended.code(),
        absl::StrCat(extended.message(),
                     "; PCR 10 matches no prefix of this batch (another "
                     "writer extended it?): ",
                     log.path(), " left as written"));
  }
  const uint64_t cut = size + (applied == 0 ? 0 : ends[applied - 1]);
  ABSL_RETURN_IF_ERROR(log.Truncate(cut));
  *kept += static_cast<uint64_t>(applied);
  return absl::Status(extended.code(),
                      absl::StrCat(extended.message(), "; ", applied,
                                   " of this batch's ", records.size(),
                                   " entries reached PCR 10 and the log was "
                                   "cut back to them"));
}

}  // namespace

absl::StatusOr<ImaRecord> InitImaLog(tpm::Tpm& tpm, ImaLogFile& log,
                                     const std::vector<TPM2_ALG_ID>& banks,
                                     const ImaInitOptions& options) {
  if (!options.force) {
    ABSL_ASSIGN_OR_RETURN(tpm::PcrValues pcr10,
                          ReadPcrsIn(tpm, banks, {kImaPcr}));
    ABSL_RETURN_IF_ERROR(RequireResetValues(
        pcr10,
        "PCR 10 already holds this boot's IMA measurements; reboot the node "
        "first (reboot_sim) or pass --force"));
  }
  const TPM2_ALG_ID agg_bank = ima::HashAlgoToBank(options.boot_aggregate_algo);
  if (std::find(banks.begin(), banks.end(), agg_bank) == banks.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "boot_aggregate with ", ima::HashAlgoName(options.boot_aggregate_algo),
        " needs the TPM's ", tpm::BankName(agg_bank), " PCR bank"));
  }
  ABSL_ASSIGN_OR_RETURN(
      tpm::PcrValues boot,
      ReadPcrsIn(tpm, {agg_bank}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}),
      _ << "reading PCRs 0-9 for boot_aggregate");
  ABSL_ASSIGN_OR_RETURN(
      ImaRecord record,
      MakeBootAggregate(options.tmpl, options.boot_aggregate_algo, boot));
  ABSL_RETURN_IF_ERROR(log.Truncate(0));
  ABSL_RETURN_IF_ERROR(AppendImaRecords(tpm, log, {record}, banks));
  return record;
}

absl::StatusOr<ImaLogState> ReadImaLogState(ImaLogFile& log) {
  ABSL_ASSIGN_OR_RETURN(ImaLogSummary s, log.Summarize());
  if (s.size != s.complete_size) {
    ABSL_RETURN_IF_ERROR(log.Truncate(s.complete_size))
        << "cutting off an incomplete last line";
  }
  if (s.entries == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "IMA log ", log.path(),
        " has no boot_aggregate entry: run `ima_emulator init` first"));
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(s.first_line, absl::MaxSplits(' ', 3));
  absl::StatusOr<ImaTemplate> tmpl =
      fields.size() == 4 ? ParseImaTemplate(fields[2])
                         : absl::InvalidArgumentError("too few fields");
  if (!tmpl.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "IMA log ", log.path(), ": line 1 is not an ima-ng or ima-sig entry (",
        tmpl.status().message(), ")"));
  }
  return ImaLogState{s.entries, *tmpl};
}

absl::Status AppendImaRecords(tpm::Tpm& tpm, ImaLogFile& log,
                              const std::vector<ImaRecord>& records,
                              const std::vector<TPM2_ALG_ID>& banks) {
  uint64_t kept = 0;
  absl::Span<const ImaRecord> all(records);
  for (size_t at = 0; at < all.size(); at += kImaBatch) {
    absl::Status s =
        AppendBatch(tpm, log, all.subspan(at, kImaBatch), banks, &kept);
    if (!s.ok()) {
      return absl::Status(
          s.code(),
          absl::StrCat("IMA log ", log.path(), ": ", kept, " of ",
                       records.size(),
                       " entries written and extended: ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::tools
