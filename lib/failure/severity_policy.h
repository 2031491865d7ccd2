// File: lib/failure/severity_policy.h
//
// The verifier's severity policy (protos/candor/v1/README.md "Failures and
// severities"; Keylime's `severity_policy`): an ordered list of rules
// "RE2 regex on the failure id → severity"; the first rule whose regex
// matches the WHOLE id decides, an id no rule matches keeps its catalogue
// default. Plus the fail severity (default "error"): a cycle with a finding
// at or above it fails the agent.
//
// Configuration document (JSON, the verifier's --severity_policy file):
//   {"fail_severity": "error",
//    "rules": [{"id": "ima\\..*", "severity": "error"},
//              {"id": "boot\\.secureboot_disabled", "severity": "warning"}]}
// Both keys are optional. Errors (INVALID_ARGUMENT) name the key and index,
// e.g. "rules[1].id: RE2 cannot compile \"(?=x)\": invalid perl operator".
// Immutable after Parse; thread-safe.
#ifndef CANDOR_LIB_FAILURE_SEVERITY_POLICY_H_
#define CANDOR_LIB_FAILURE_SEVERITY_POLICY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "re2/re2.h"

namespace candor::failure {

class SeverityPolicy {
 public:
  // The catalogue defaults and fail severity "error".
  SeverityPolicy() = default;

  static absl::StatusOr<SeverityPolicy> Parse(absl::string_view json);

  // The severity of `failure_id` under this policy; the catalogue default
  // when no rule matches (UNSPECIFIED for an uncatalogued id).
  v1::Severity SeverityOf(absl::string_view failure_id) const;
  // Sets each failure's severity with SeverityOf.
  void Apply(std::vector<v1::Failure>& failures) const;
  // True when `severity` is at or above the fail severity.
  bool Fails(v1::Severity severity) const {
    return severity != v1::SEVERITY_UNSPECIFIED && severity >= fail_severity_;
  }
  v1::Severity fail_severity() const { return fail_severity_; }
  size_t rule_count() const { return rules_.size(); }

 private:
  struct Rule {
    std::shared_ptr<const RE2> regex;
    v1::Severity severity;
  };
  std::vector<Rule> rules_;
  v1::Severity fail_severity_ = v1::SEVERITY_ERROR;
};

}  // namespace candor::failure

#endif  // CANDOR_LIB_FAILURE_SEVERITY_POLICY_H_
