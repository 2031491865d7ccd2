// File: tools/ima/ima_emulator.h
//
// The IMA emulator: writes ascii_runtime_measurements entries to a log file
// and extends PCR 10 of a TPM to match, as a kernel >= 5.8 does (every active
// bank extended with H_bank(template data); violations with 0xFF bytes), so
// the verifier's replay reaches the quoted PCR 10.
//
// Order and atomicity (the kernel adds the entry to its list, then extends):
// each batch's lines are appended to the log (one write(2), visible to the
// agent at once) BEFORE their extends are sent, all in one TPM connection
// (Tpm::ExtendPcrMany). So the log may run ahead of PCR 10, which the
// verifier tolerates (it replays until the running value equals the quoted
// PCR 10 and keeps later lines for the next cycle), but PCR 10 never holds
// an extend whose line is not in the log, which it could not tolerate. If an
// extend fails, PCR 10 is read back and the log is cut back to the entries
// the TPM did apply, so the two agree again; if PCR 10 cannot be read, the
// error says the log may be ahead by up to the batch size.
//
// Writers are serialized by the ImaLogFile lock. Not thread-safe otherwise.
#ifndef CANDOR_TOOLS_IMA_IMA_EMULATOR_H_
#define CANDOR_TOOLS_IMA_IMA_EMULATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/ima/hash_algo.h"
#include "lib/tpm/tpm.h"
#include "tools/ima/ima_log_file.h"
#include "tools/ima/ima_record.h"

namespace candor::tools {

// Entries per write + ExtendPcrMany (about 0.3 s of extends on swtpm).
inline constexpr size_t kImaBatch = 4096;

struct ImaInitOptions {
  ImaTemplate tmpl = ImaTemplate::kImaNg;
  // The boot_aggregate digest algorithm (the kernel's ima_hash; its bank).
  ima::HashAlgo boot_aggregate_algo = ima::HashAlgo::kSha256;
  // Skip the check that PCR 10 is at its reset value.
  bool force = false;
};

// Starts a new log: truncates `log`, writes the boot_aggregate entry computed
// from the TPM's current PCRs 0-9 and extends PCR 10 with it in `banks`.
// FAILED_PRECONDITION when PCR 10 is not at its reset value in some bank (a
// log for this boot exists: reboot first, or force). Returns the record.
absl::StatusOr<ImaRecord> InitImaLog(tpm::Tpm& tpm, ImaLogFile& log,
                                     const std::vector<TPM2_ALG_ID>& banks,
                                     const ImaInitOptions& options);

struct ImaLogState {
  uint64_t entries = 0;  // complete lines, boot_aggregate included
  ImaTemplate tmpl = ImaTemplate::kImaNg;  // of the first line
};

// The log's entry count and template (from its first line). Cuts off an
// incomplete last line (a write that never finished; its extend was never
// sent). FAILED_PRECONDITION when the log has no entry (run init first) or
// its first line is not an ima-ng / ima-sig entry.
absl::StatusOr<ImaLogState> ReadImaLogState(ImaLogFile& log);

// Appends `records` and extends PCR 10 in `banks` to match, kImaBatch at a
// time (see the file comment). Records are built beforehand, so a bad input
// writes nothing. On a TPM error the log is cut back to what PCR 10 holds and
// the error says how many of the records were kept.
absl::Status AppendImaRecords(tpm::Tpm& tpm, ImaLogFile& log,
                              const std::vector<ImaRecord>& records,
                              const std::vector<TPM2_ALG_ID>& banks);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_IMA_IMA_EMULATOR_H_
