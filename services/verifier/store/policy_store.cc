#include "services/verifier/store/policy_store.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace candor::verifier {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr char kTokenPrefix[] = "p1";

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

absl::Status ValidatePolicyName(absl::string_view name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("policy name: required, got empty");
  }
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy name: ", name.size(), " characters, at most 128 allowed"));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("policy name: character at index ", i, " (byte 0x",
                       absl::BytesToHexString(name.substr(i, 1)),
                       ") is not one of A-Z a-z 0-9 . _ -"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePolicyKind(v1::PolicyKind kind) {
  if (kind == v1::POLICY_KIND_RUNTIME || kind == v1::POLICY_KIND_BOOT) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("policy kind: must be RUNTIME (1) or BOOT (2), got ",
                   static_cast<int>(kind)));
}

absl::Status CheckExpectedSha256(absl::string_view expected,
                                 absl::string_view actual) {
  if (expected.empty()) return absl::OkStatus();
  if (expected.size() != 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected_sha256: must be 32 bytes, got ", expected.size()));
  }
  if (expected != actual) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected_sha256: ", absl::BytesToHexString(expected),
        " is not the content's SHA-256 ", absl::BytesToHexString(actual)));
  }
  return absl::OkStatus();
}

uint32_t EffectivePolicyPageSize(uint32_t page_size) {
  if (page_size == 0) return kDefaultPolicyPageSize;
  return page_size > kMaxPolicyPageSize ? kMaxPolicyPageSize : page_size;
}

std::string EncodePolicyPageToken(v1::PolicyKind kind,
                                  absl::string_view last_name) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenPrefix, ":", static_cast<int>(kind), ":", last_name));
}

absl::StatusOr<std::string> DecodePolicyPageToken(v1::PolicyKind kind,
                                                  absl::string_view token) {
  if (token.empty()) return std::string();
  std::string raw;
  std::vector<std::string> parts;
  int token_kind = -1;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    parts = absl::StrSplit(raw, absl::MaxSplits(':', 2));
  }
  if (parts.size() != 3 || parts[0] != kTokenPrefix ||
      !absl::SimpleAtoi(parts[1], &token_kind) ||
      !ValidatePolicyName(parts[2]).ok()) {
    return absl::InvalidArgumentError(
        "page_token: not a token issued by ListPolicies");
  }
  if (token_kind != static_cast<int>(kind)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: issued for kind filter ", token_kind,
                     ", used with kind filter ", static_cast<int>(kind)));
  }
  return parts[2];
}

}  // namespace candor::verifier
