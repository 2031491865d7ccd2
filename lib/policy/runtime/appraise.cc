#include "lib/policy/runtime/appraise.h"

#include <optional>
#include <utility>

#include "lib/ima/boot_aggregate.h"

namespace candor::policy {

std::vector<absl::string_view> SplitLogLines(absl::string_view text) {
  std::vector<absl::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == absl::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

absl::StatusOr<Appraisal> AppraiseImaLog(
    const ima::ReplayState& from, absl::Span<const absl::string_view> lines,
    const AppraiseOptions& options, EvalState* state) {
  Appraisal a;
  ima::ReplayOptions ro = options.replay;
  if (options.policy != nullptr) {
    ro.template_hash_algo = options.policy->log_hash_alg();
  }
  EvalOptions eo;
  eo.boot_aggregate_checked = options.boot_pcrs != nullptr;
  std::optional<Evaluator> evaluator;
  if (options.policy != nullptr) evaluator.emplace(*options.policy, state, eo);
  std::vector<candor::v1::Failure>* findings = &a.findings;
  absl::StatusOr<ima::ReplayResult> r = ima::Replay(
      from, lines, ro,
      [&](const ima::Entry& e, uint64_t index, absl::string_view) {
        if (index == 0 && options.boot_pcrs != nullptr) {
          ima::CheckBootAggregate(e, index, *options.boot_pcrs, findings);
        }
        if (evaluator.has_value()) {
          evaluator->Evaluate(e, index, findings);
          ++a.entries_evaluated;
        }
      },
      findings);
  if (!r.ok()) return r.status();
  a.replay = *std::move(r);
  return a;
}

}  // namespace candor::policy
