// File: lib/policy/runtime/appraise.h
//
// Step 4 of an attestation cycle (DESIGN.md): replay new IMA lines to the
// quoted PCR 10 (lib/ima/replay.h), check the first entry of the boot
// against the quoted boot PCRs (lib/ima/boot_aggregate.h), and check every
// replayed entry against the runtime policy (evaluator.h), in one pass over
// the lines. Used by the verifier per cycle and by `tenant policy check`.
//
//   policy::EvalState keys;  // per agent and boot, kept with the ReplayState
//   AppraiseOptions o;
//   o.policy = policy.get();
//   o.boot_pcrs = &quoted_pcrs;
//   o.replay.quoted_pcr10 = quoted_pcrs.at(TPM2_ALG_SHA256).at(10);
//   ABSL_ASSIGN_OR_RETURN(Appraisal a, AppraiseImaLog(state, lines, o, &keys));
//   // a.replay.state: the new state to persist (when a.replay.pcr_matched)
//   // a.findings: every finding, in line order
//
// With a policy, its ima.log_hash_alg decides the template-hash algorithm
// (ReplayOptions::template_hash_algo is overridden). Only replayed entries
// (up to the match) are evaluated. On any finding at or above the fail
// severity the caller restarts the boot's replay from entry 0 with an empty
// EvalState next time. Thread-safe for different arguments.
#ifndef CANDOR_LIB_POLICY_RUNTIME_APPRAISE_H_
#define CANDOR_LIB_POLICY_RUNTIME_APPRAISE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "candor/v1/common.pb.h"
#include "lib/ima/replay.h"
#include "lib/policy/runtime/evaluator.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "lib/tpm/pcr_values.h"

namespace candor::policy {

struct AppraiseOptions {
  // Null: replay only (no policy checks).
  const RuntimePolicy* policy = nullptr;
  // Quoted PCRs for the boot_aggregate check of entry 0; null: boot_aggregate
  // is looked up in the policy like any path.
  const tpm::PcrValues* boot_pcrs = nullptr;
  ima::ReplayOptions replay;
};

struct Appraisal {
  ima::ReplayResult replay;
  std::vector<candor::v1::Failure> findings;
  uint64_t entries_evaluated = 0;
};

// Errors are those of ima::Replay (bad state, quote size, OpenSSL).
absl::StatusOr<Appraisal> AppraiseImaLog(
    const ima::ReplayState& from, absl::Span<const absl::string_view> lines,
    const AppraiseOptions& options, EvalState* state);

// Splits an ascii_runtime_measurements file into lines (no newlines; a
// final newline does not start another line).
std::vector<absl::string_view> SplitLogLines(absl::string_view text);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_APPRAISE_H_
