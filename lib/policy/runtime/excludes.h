// File: lib/policy/runtime/excludes.h
//
// A runtime policy's "excludes": RE2 regexes, matched as Keylime matches
// them (Python re.match on the combined "(r1)|(r2)|..."): anchored at the
// START of the path only, so "/tmp/" excludes "/tmp/x", and ".*\.log$" any
// path ending in ".log". Paths are bytes; RE2 runs in UTF-8 mode.
//
// Where Keylime is lax, this fails closed: a pattern that is not a valid RE2
// regex (Python-only syntax such as lookarounds and backreferences, or a
// typo) rejects the whole policy, naming the index and RE2's error, instead
// of silently disabling every exclude.
//
// Thread-safety: immutable after Create; Matches may run on many threads.
#ifndef CANDOR_LIB_POLICY_RUNTIME_EXCLUDES_H_
#define CANDOR_LIB_POLICY_RUNTIME_EXCLUDES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace candor::policy {

class ExcludeList {
 public:
  ExcludeList() = default;  // excludes nothing

  // INVALID_ARGUMENT "excludes[i]: '<pattern>' is not a valid RE2 regex:
  // <error>" for the first bad pattern.
  static absl::StatusOr<ExcludeList> Create(std::vector<std::string> patterns);

  // True if some pattern matches a prefix of `path`.
  bool Matches(absl::string_view path) const;

  const std::vector<std::string>& patterns() const { return patterns_; }
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::string> patterns_;
  std::shared_ptr<const RE2> combined_;  // null when empty
};

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_EXCLUDES_H_
