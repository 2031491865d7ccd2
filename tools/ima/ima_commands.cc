#include "tools/ima/ima_commands.h"

#include <climits>
#include <cstdlib>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/status/status_macros.h"
#include "tools/common/tpm_target.h"
#include "tools/ima/file_signer.h"
#include "tools/ima/ima_emulator.h"
#include "tools/ima/ima_log_file.h"
#include "tools/ima/ima_record.h"
#include "tools/ima/synthetic_files.h"

namespace candor::tools {
namespace {

absl::StatusOr<ima::HashAlgo> FileHashAlgo(const std::string& name) {
  ima::HashAlgo algo = ima::HashAlgoFromName(name);
  if (algo == ima::HashAlgo::kUnknown) {
    return absl::InvalidArgumentError(
        absl::StrCat("--hash ", name, ": unknown hash algorithm"));
  }
  return algo;
}

absl::StatusOr<std::optional<FileSigner>> LoadSigner(const ImaAddFlags& f) {
  if (f.sign_key.empty()) return std::optional<FileSigner>();
  std::optional<uint32_t> keyid;
  if (!f.keyid.empty()) {
    uint32_t id = 0;
    if (f.keyid.size() != 8 || !absl::SimpleHexAtoi(f.keyid, &id)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--keyid ", f.keyid, ": want 8 hex digits"));
    }
    keyid = id;
  }
  ABSL_ASSIGN_OR_RETURN(FileSigner s,
                        FileSigner::FromPemFile(f.sign_key, keyid));
  return std::optional<FileSigner>(std::move(s));
}

// One record for `path` with `digest`, signed when a signer is given.
absl::StatusOr<ImaRecord> Record(ImaTemplate t, const std::string& path,
                                 ima::HashAlgo algo, const std::string& digest,
                                 const std::optional<FileSigner>& signer) {
  std::string sig;
  if (signer.has_value()) {
    ABSL_ASSIGN_OR_RETURN(sig, signer->Sign(algo, digest));
  }
  return MakeMeasurement(t, path, algo, digest, sig);
}

}  // namespace

absl::Status ValidateImaAdd(const ImaAddFlags& f) {
  if (f.log.empty()) return absl::InvalidArgumentError("--log is required");
  const bool single =
      !f.path.empty() || !f.file.empty() || !f.digest.empty() || f.violation;
  if (f.count > 0 && single) {
    return absl::InvalidArgumentError(
        "--count makes synthetic files; it does not combine with --path/--as, "
        "--digest, --file or --violation");
  }
  if (f.count == 0 && !single) {
    return absl::InvalidArgumentError(
        "add: give --count N, or --path P with --digest, --file or "
        "--violation (or --file F alone)");
  }
  if (single) {
    const int sources = !f.digest.empty() + !f.file.empty() + f.violation;
    if (sources != 1) {
      return absl::InvalidArgumentError(
          "add: give exactly one of --digest, --file and --violation");
    }
    if (f.path.empty() && f.file.empty()) {
      return absl::InvalidArgumentError("add: --path (or --as) is required");
    }
    if (f.violation && !f.sign_key.empty()) {
      return absl::InvalidArgumentError(
          "add: a violation entry carries no signature (--sign)");
    }
  }
  if (!f.keyid.empty() && f.sign_key.empty()) {
    return absl::InvalidArgumentError("--keyid needs --sign");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RunImaInit(tpm::Tpm& tpm, const ImaInitFlags& f) {
  if (f.log.empty()) return absl::InvalidArgumentError("--log is required");
  ImaInitOptions o;
  ABSL_ASSIGN_OR_RETURN(o.tmpl, ParseImaTemplate(f.tmpl));
  o.boot_aggregate_algo = ima::HashAlgoFromName(f.boot_aggregate_hash);
  if (ima::HashAlgoToBank(o.boot_aggregate_algo) == TPM2_ALG_ERROR) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--boot_aggregate_hash ", f.boot_aggregate_hash,
        ": want a PCR bank's hash (sha1, sha256, sha384, sha512)"));
  }
  o.force = f.force;
  ABSL_ASSIGN_OR_RETURN(std::vector<TPM2_ALG_ID> banks, ActiveBanks(tpm));
  ABSL_ASSIGN_OR_RETURN(ImaLogFile log, ImaLogFile::Open(f.log));
  ABSL_ASSIGN_OR_RETURN(ImaRecord r, InitImaLog(tpm, log, banks, o));
  return absl::StrCat("started ", f.log, " (", f.tmpl, "): ", r.line,
                      "\nPCR 10 extended in ", BankListName(banks));
}

absl::StatusOr<std::string> RunImaAdd(tpm::Tpm& tpm, const ImaAddFlags& f) {
  ABSL_RETURN_IF_ERROR(ValidateImaAdd(f));
  ABSL_ASSIGN_OR_RETURN(ima::HashAlgo algo, FileHashAlgo(f.hash));
  ABSL_ASSIGN_OR_RETURN(std::optional<FileSigner> signer, LoadSigner(f));
  ABSL_ASSIGN_OR_RETURN(std::vector<TPM2_ALG_ID> banks, ActiveBanks(tpm));
  ABSL_ASSIGN_OR_RETURN(ImaLogFile log, ImaLogFile::Open(f.log));
  ABSL_ASSIGN_OR_RETURN(ImaLogState state, ReadImaLogState(log));
  ImaTemplate t = state.tmpl;
  if (!f.tmpl.empty()) {
    ABSL_ASSIGN_OR_RETURN(t, ParseImaTemplate(f.tmpl));
  }
  if (signer.has_value() && t != ImaTemplate::kImaSig) {
    return absl::FailedPreconditionError(absl::StrCat(
        f.log, " uses ", ImaTemplateName(t),
        ", which has no signature field: start it with `init --template "
        "ima-sig` (or pass --template ima-sig)"));
  }

  std::vector<ImaRecord> records;
  if (f.count > 0) {
    SyntheticOptions so;
    so.seed = f.seed;
    so.random_digests = f.random;
    so.algo = algo;
    // Synthetic file i is entry i + 1 (entry 0 is boot_aggregate).
    for (uint64_t done = 0; done < f.count; done += kImaBatch) {
      const uint64_t n = std::min<uint64_t>(kImaBatch, f.count - done);
      ABSL_ASSIGN_OR_RETURN(std::vector<SyntheticFile> files,
                            SyntheticFiles(state.entries - 1 + done, n, so));
      records.clear();
      for (const SyntheticFile& file : files) {
        ABSL_ASSIGN_OR_RETURN(ImaRecord r,
                              Record(t, file.path, algo, file.digest, signer));
        records.push_back(std::move(r));
      }
      ABSL_RETURN_IF_ERROR(AppendImaRecords(tpm, log, records, banks))
          << "after " << done << " of " << f.count << " synthetic entries";
    }
    return absl::StrCat("appended ", f.count, " entries to ", f.log, " (now ",
                        state.entries + f.count, "); PCR 10 extended in ",
                        BankListName(banks));
  }

  std::string path = f.path;
  if (path.empty()) {  // --file alone: the file's own absolute path
    char buf[PATH_MAX];
    if (realpath(f.file.c_str(), buf) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("--file ", f.file, ": not found"));
    }
    path = buf;
  }
  ImaRecord record;
  if (f.violation) {
    ABSL_ASSIGN_OR_RETURN(record, MakeViolation(t, path, algo));
  } else if (!f.digest.empty()) {
    ABSL_ASSIGN_OR_RETURN(auto parsed, ParseAlgoDigest(f.digest));
    ABSL_ASSIGN_OR_RETURN(record,
                          Record(t, path, parsed.first, parsed.second, signer));
  } else {
    ABSL_ASSIGN_OR_RETURN(std::string contents, ReadFile(f.file),
                          _ << "--file");
    ABSL_ASSIGN_OR_RETURN(std::string digest, ImaHash(algo, contents));
    ABSL_ASSIGN_OR_RETURN(record, Record(t, path, algo, digest, signer));
  }
  ABSL_RETURN_IF_ERROR(AppendImaRecords(tpm, log, {record}, banks));
  return absl::StrCat("appended entry ", state.entries, " to ", f.log, ": ",
                      record.line);
}

}  // namespace candor::tools
