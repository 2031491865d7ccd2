// File: lib/ima/replay.h
//
// PCR-10 replay of IMA log lines for one PCR bank (DESIGN.md "One
// attestation cycle" step 4; notes/tpm.md §4).
//
// Per entry, PCR10 := H_bank(PCR10 || v), where v is
//   - kPerBank (kernel >= 5.8): H_bank(template data);
//   - kPaddedSha1 (older kernels): the SHA-1 template hash, zero-padded to
//     the bank size (the same as kPerBank on the SHA-1 bank);
//   - for a violation (template hash all zeros): 0xFF bytes, the bank size
//     for kPerBank, 20 bytes zero-padded for kPaddedSha1 (what the older
//     kernels extended).
// A line whose template hash is all 0xFF is not a violation but a
// template-hash mismatch (a kernel never prints it).
//
// With a quoted PCR-10 value, the replay starts from the saved state and
// stops at the FIRST point where the running value equals the quote (before
// any line, or after some line); the lines after it are left for the next
// cycle. If the quote is never reached the result carries ima.pcr_mismatch
// and the state is not advanced. When the state's extend mode is unknown
// (the first cycle of a boot) both modes are replayed and the one that
// reaches the quote is chosen and returned in the state, for the caller to
// keep for the rest of the boot.
//
// Where the quoted bank authenticates each entry (kPerBank on a non-SHA-1
// bank), the line's separate template-hash field is not checked unless
// ReplayOptions::check_template_hash is set; without a quote (offline) and
// in kPaddedSha1 mode every non-violation entry's template hash must equal
// H(template data) (ima.template_hash_mismatch).
//
// Findings (candor.v1.Failure, context "line" = 1-based line number in the
// boot's log, "path"): ima.log_malformed / ima.unsupported_template (a line
// that does not parse: with a quote the replay stops there, offline it goes
// on but the chain is broken), ima.log_malformed for an entry measured into
// another PCR than 10 (not extended, not visited), ima.template_hash_mismatch,
// ima.violation (warning), ima.pcr_mismatch.
//
// Thread-safety: Replay keeps no state between calls; it may run on many
// threads at once with different arguments.
#ifndef CANDOR_LIB_IMA_REPLAY_H_
#define CANDOR_LIB_IMA_REPLAY_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "candor/v1/common.pb.h"
#include "lib/ima/entry.h"

namespace candor::ima {

// The PCR register IMA extends (CONFIG_IMA_MEASURE_PCR_IDX).
inline constexpr uint32_t kImaPcr = 10;

enum class ExtendMode : uint8_t {
  kUnknown = 0,     // not detected yet this boot
  kPerBank = 1,     // H_bank(template data)
  kPaddedSha1 = 2,  // SHA-1 template hash zero-padded to the bank size
};

// "unknown", "per_bank", "padded_sha1".
absl::string_view ExtendModeName(ExtendMode mode);

// What the verifier keeps per agent and bank between cycles.
struct ReplayState {
  TPM2_ALG_ID bank = TPM2_ALG_SHA256;
  // PCR 10 of `bank` after the first `next_entry` entries of this boot's
  // log (all zeros at boot), raw bytes of the bank's digest size.
  std::string pcr10;
  // The number of entries consumed so far = index of the next entry.
  uint64_t next_entry = 0;
  ExtendMode mode = ExtendMode::kUnknown;

  // The state at boot: PCR 10 all zeros, entry 0. INVALID_ARGUMENT for a
  // bank other than SHA-1, SHA-256, SHA-384, SHA-512 or SM3-256.
  static absl::StatusOr<ReplayState> AtBoot(
      TPM2_ALG_ID bank, ExtendMode mode = ExtendMode::kUnknown);
};

struct ReplayOptions {
  // The quoted PCR 10 of the state's bank, raw bytes; empty: an offline
  // replay of every line.
  std::string quoted_pcr10;
  // The template-hash algorithm (Keylime's ima.log_hash_alg); kernels print
  // SHA-1.
  HashAlgo template_hash_algo = HashAlgo::kSha1;
  // Check the template-hash field of every entry even where the quoted bank
  // authenticates the entry (slower).
  bool check_template_hash = false;
  // Extend mode for an offline replay whose state has none.
  ExtendMode offline_mode = ExtendMode::kPerBank;
};

struct ReplayResult {
  // How many of the given lines were consumed (up to and including the
  // line after which the quote was reached; all of them offline).
  size_t consumed = 0;
  // The quote was reached (false offline).
  bool pcr_matched = false;
  // Offline only: a line could not be replayed, so state.pcr10 is not the
  // log's PCR 10.
  bool chain_broken = false;
  // The state after the consumed lines; equal to the starting state when a
  // quote was given and never reached.
  ReplayState state;
};

// Called for each replayed entry (index = 0-based entry number of the boot,
// i.e. line number - 1), after it was extended and before the next line is
// parsed. `entry` and `template_data` are valid only during the call.
using EntryVisitor = absl::FunctionRef<void(const Entry& entry, uint64_t index,
                                            absl::string_view template_data)>;

// Replays `lines` (raw lines without newlines; lines[0] is entry
// `from.next_entry`) from `from`, appending findings to `*findings` in line
// order. Errors (the replay did not run): INVALID_ARGUMENT when the state's
// PCR value or the quote has the wrong size or the bank is unsupported,
// INTERNAL when OpenSSL fails.
absl::StatusOr<ReplayResult> Replay(const ReplayState& from,
                                    absl::Span<const absl::string_view> lines,
                                    const ReplayOptions& options,
                                    EntryVisitor visit,
                                    std::vector<candor::v1::Failure>* findings);

}  // namespace candor::ima

#endif  // CANDOR_LIB_IMA_REPLAY_H_
