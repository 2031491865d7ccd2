#include "lib/failure/severity_policy.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/failure/catalogue.h"

namespace candor::failure {
namespace {

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("severity policy: ", where, ": ", what));
}

absl::StatusOr<v1::Severity> SeverityField(const nlohmann::json& v,
                                           absl::string_view where) {
  if (!v.is_string()) return Invalid(where, "must be a severity label string");
  absl::StatusOr<v1::Severity> s = ParseSeverity(v.get<std::string>());
  if (!s.ok()) return Invalid(where, s.status().message());
  return *s;
}

}  // namespace

absl::StatusOr<SeverityPolicy> SeverityPolicy::Parse(absl::string_view json) {
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(),
                                             /*cb=*/nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid("document", "is not valid JSON");
  if (!doc.is_object()) return Invalid("document", "must be a JSON object");
  SeverityPolicy policy;
  for (const auto& [key, value] : doc.items()) {
    if (key == "fail_severity") {
      absl::StatusOr<v1::Severity> s = SeverityField(value, "fail_severity");
      if (!s.ok()) return s.status();
      policy.fail_severity_ = *s;
    } else if (key == "rules") {
      if (!value.is_array()) return Invalid("rules", "must be an array");
      for (size_t i = 0; i < value.size(); ++i) {
        const nlohmann::json& r = value[i];
        std::string where = absl::StrCat("rules[", i, "]");
        if (!r.is_object()) return Invalid(where, "must be an object");
        for (const auto& [k, unused] : r.items()) {
          if (k != "id" && k != "severity") {
            return Invalid(absl::StrCat(where, ".", k), "unknown key");
          }
        }
        if (!r.contains("id") || !r["id"].is_string()) {
          return Invalid(absl::StrCat(where, ".id"),
                         "required: an RE2 regex on the failure id");
        }
        if (!r.contains("severity")) {
          return Invalid(absl::StrCat(where, ".severity"), "required");
        }
        std::string pattern = r["id"].get<std::string>();
        RE2::Options options;
        options.set_log_errors(false);
        auto re = std::make_shared<const RE2>(pattern, options);
        if (!re->ok()) {
          return Invalid(absl::StrCat(where, ".id"),
                         absl::StrCat("RE2 cannot compile \"", pattern,
                                      "\": ", re->error()));
        }
        absl::StatusOr<v1::Severity> s =
            SeverityField(r["severity"], absl::StrCat(where, ".severity"));
        if (!s.ok()) return s.status();
        policy.rules_.push_back(Rule{std::move(re), *s});
      }
    } else {
      return Invalid(key, "unknown key (expected fail_severity, rules)");
    }
  }
  return policy;
}

v1::Severity SeverityPolicy::SeverityOf(absl::string_view failure_id) const {
  re2::StringPiece id(failure_id.data(), failure_id.size());
  for (const Rule& rule : rules_) {
    if (RE2::FullMatch(id, *rule.regex)) return rule.severity;
  }
  const FailureKind* kind = Find(failure_id);
  return kind == nullptr ? v1::SEVERITY_UNSPECIFIED : kind->default_severity;
}

void SeverityPolicy::Apply(std::vector<v1::Failure>& failures) const {
  for (v1::Failure& f : failures) f.set_severity(SeverityOf(f.id()));
}

}  // namespace candor::failure
