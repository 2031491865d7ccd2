#include "services/verifier/store/policy_validation.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/runtime/runtime_policy.h"

namespace candor::verifier {
namespace {

// INVALID_ARGUMENT with the parser's message, prefixed with `what` unless
// the parser already named it.
absl::Status Invalid(absl::string_view what, const absl::Status& parse) {
  if (absl::StartsWith(parse.message(), what)) {
    return absl::InvalidArgumentError(parse.message());
  }
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", parse.message()));
}

}  // namespace

absl::Status ValidatePolicy(v1::PolicyKind kind, absl::string_view content) {
  if (content.size() > kMaxPolicyContentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy content: ", content.size(), " bytes, at most ",
                     kMaxPolicyContentBytes, " (100 MiB) allowed"));
  }
  switch (kind) {
    case v1::POLICY_KIND_RUNTIME: {
      auto parsed = policy::RuntimePolicy::Load(content);
      if (!parsed.ok()) return Invalid("runtime policy", parsed.status());
      return absl::OkStatus();
    }
    case v1::POLICY_KIND_BOOT: {
      auto parsed = policy::BootPolicy::Parse(content);
      if (!parsed.ok()) return Invalid("boot policy", parsed.status());
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("policy kind: must be RUNTIME (1) or BOOT (2), got ",
                       static_cast<int>(kind)));
  }
}

}  // namespace candor::verifier
