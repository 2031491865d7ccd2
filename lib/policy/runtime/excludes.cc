#include "lib/policy/runtime/excludes.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace candor::policy {
namespace {

RE2::Options Options() {
  RE2::Options o;
  o.set_log_errors(false);
  // Policies may hold thousands of excludes: give the combined DFA room
  // (RE2 falls back to a slower engine, never to a wrong answer).
  o.set_max_mem(int64_t{256} << 20);
  return o;
}

}  // namespace

absl::StatusOr<ExcludeList> ExcludeList::Create(
    std::vector<std::string> patterns) {
  ExcludeList list;
  if (patterns.empty()) return list;
  std::string combined;
  for (size_t i = 0; i < patterns.size(); ++i) {
    RE2 re(patterns[i], Options());
    if (!re.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("excludes[", i, "]: '", absl::CHexEscape(patterns[i]),
                       "' is not a valid RE2 regex: ", re.error()));
    }
    absl::StrAppend(&combined, i == 0 ? "" : "|", "(?:", patterns[i], ")");
  }
  auto re = std::make_shared<const RE2>(combined, Options());
  if (!re->ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "excludes: the combined regex does not compile: ", re->error()));
  }
  list.patterns_ = std::move(patterns);
  list.combined_ = std::move(re);
  return list;
}

bool ExcludeList::Matches(absl::string_view path) const {
  if (combined_ == nullptr) return false;
  return combined_->Match(re2::StringPiece(path.data(), path.size()), 0,
                          path.size(), RE2::ANCHOR_START, nullptr, 0);
}

}  // namespace candor::policy
