#include "cli/tenant/proto_format.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace candor::tenant {
namespace {

using google::protobuf::EnumDescriptor;

// The enum value's name without `prefix`.
std::string ShortName(const EnumDescriptor* d, int value,
                      absl::string_view prefix) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  absl::string_view name = v->name();
  absl::ConsumePrefix(&name, prefix);
  return std::string(name);
}

// Parses a short or full, any-case, '-' or '_' name of a non-zero value.
absl::StatusOr<int> ParseShortName(const EnumDescriptor* d,
                                   absl::string_view prefix,
                                   absl::string_view what,
                                   absl::string_view text, bool lower) {
  std::string want = absl::AsciiStrToUpper(
      absl::StrReplaceAll(absl::StripAsciiWhitespace(text), {{"-", "_"}}));
  std::vector<std::string> valid;
  for (int i = 0; i < d->value_count(); ++i) {
    const auto* v = d->value(i);
    if (v->number() == 0) continue;
    absl::string_view name = v->name();
    absl::string_view short_name = name;
    absl::ConsumePrefix(&short_name, prefix);
    if (want == name || want == short_name) return v->number();
    valid.push_back(lower ? absl::AsciiStrToLower(short_name)
                          : std::string(short_name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", what, " '", text, "' (one of ",
                   absl::StrJoin(valid, ", "), ")"));
}

}  // namespace

std::string StateName(v1::OperationalState state) {
  return ShortName(v1::OperationalState_descriptor(), state,
                   "OPERATIONAL_STATE_");
}

absl::StatusOr<v1::OperationalState> ParseState(absl::string_view text) {
  absl::StatusOr<int> v =
      ParseShortName(v1::OperationalState_descriptor(), "OPERATIONAL_STATE_",
                     "state", text, /*lower=*/true);
  if (!v.ok()) return v.status();
  return static_cast<v1::OperationalState>(*v);
}

std::string EventKindName(v1::EventKind kind) {
  return ShortName(v1::EventKind_descriptor(), kind, "EVENT_KIND_");
}

absl::StatusOr<v1::EventKind> ParseEventKind(absl::string_view text) {
  absl::StatusOr<int> v = ParseShortName(
      v1::EventKind_descriptor(), "EVENT_KIND_", "event kind", text, true);
  if (!v.ok()) return v.status();
  return static_cast<v1::EventKind>(*v);
}

std::string SeverityLabel(v1::Severity severity) {
  if (severity == v1::SEVERITY_UNSPECIFIED) return "";
  return absl::AsciiStrToLower(
      ShortName(v1::Severity_descriptor(), severity, "SEVERITY_"));
}

absl::StatusOr<v1::Severity> ParseSeverity(absl::string_view text) {
  absl::StatusOr<int> v = ParseShortName(v1::Severity_descriptor(), "SEVERITY_",
                                         "severity", text, true);
  if (!v.ok()) return v.status();
  return static_cast<v1::Severity>(*v);
}

std::string BankName(v1::HashAlgorithm bank) {
  return absl::AsciiStrToLower(
      ShortName(v1::HashAlgorithm_descriptor(), bank, "HASH_ALGORITHM_"));
}

absl::StatusOr<v1::HashAlgorithm> ParseBank(absl::string_view text) {
  absl::StatusOr<int> v =
      ParseShortName(v1::HashAlgorithm_descriptor(), "HASH_ALGORITHM_",
                     "PCR bank", text, true);
  if (!v.ok()) return v.status();
  return static_cast<v1::HashAlgorithm>(*v);
}

size_t BankDigestSize(v1::HashAlgorithm bank) {
  switch (bank) {
    case v1::HASH_ALGORITHM_SHA1:
      return 20;
    case v1::HASH_ALGORITHM_SHA256:
    case v1::HASH_ALGORITHM_SM3_256:
      return 32;
    case v1::HASH_ALGORITHM_SHA384:
      return 48;
    case v1::HASH_ALGORITHM_SHA512:
      return 64;
    default:
      return 0;
  }
}

std::string PolicyKindName(v1::PolicyKind kind) {
  return absl::AsciiStrToLower(
      ShortName(v1::PolicyKind_descriptor(), kind, "POLICY_KIND_"));
}

absl::StatusOr<v1::PolicyKind> ParsePolicyKind(absl::string_view text) {
  absl::StatusOr<int> v = ParseShortName(
      v1::PolicyKind_descriptor(), "POLICY_KIND_", "policy kind", text, true);
  if (!v.ok()) return v.status();
  return static_cast<v1::PolicyKind>(*v);
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

std::string FormatDuration(const google::protobuf::Duration& d) {
  return absl::FormatDuration(absl::Seconds(d.seconds()) +
                              absl::Nanoseconds(d.nanos()));
}

nlohmann::json ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  std::string text;
  google::protobuf::util::Status s =
      google::protobuf::util::MessageToJsonString(message, &text, opts);
  if (!s.ok()) {
    return {{"error",
             absl::StrCat("cannot print as JSON: ", std::string(s.message()))}};
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace candor::tenant
