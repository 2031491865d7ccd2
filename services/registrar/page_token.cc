#include "services/registrar/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/registrar/identity_checks.h"

namespace candor::registrar {
namespace {
constexpr absl::string_view kMagic = "registrar.list.v1";
}  // namespace

std::string EncodePageToken(v1::RegistrationState filter,
                            absl::string_view last_agent_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(
      kMagic, "\n", static_cast<int>(filter), "\n", last_agent_id));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            v1::RegistrationState filter) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return absl::InvalidArgumentError(
        "page_token is malformed (not a token this registrar issued)");
  }
  std::vector<std::string> parts =
      absl::StrSplit(raw, absl::MaxSplits('\n', 2));
  int state = 0;
  if (parts.size() != 3 || parts[0] != kMagic ||
      !absl::SimpleAtoi(parts[1], &state) ||
      !CheckAgentIdSyntax(parts[2]).ok()) {
    return absl::InvalidArgumentError(
        "page_token is malformed (not a token this registrar issued)");
  }
  if (state != static_cast<int>(filter)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_token was issued for the state filter ",
        v1::RegistrationState_Name(static_cast<v1::RegistrationState>(state)),
        ", not ", v1::RegistrationState_Name(filter),
        ": use the same filter for every page"));
  }
  return parts[2];
}

}  // namespace candor::registrar
