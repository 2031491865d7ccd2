#include "cli/tenant/exit_codes.h"

#include "absl/strings/cord.h"

namespace candor::tenant {
namespace {
constexpr char kCheckFailedUrl[] = "candor.tenant/check-failed";
constexpr char kUsageUrl[] = "candor.tenant/usage";
}  // namespace

absl::Status CheckFailedError(const std::string& message) {
  absl::Status s = absl::FailedPreconditionError(message);
  s.SetPayload(kCheckFailedUrl, absl::Cord("1"));
  return s;
}

absl::Status UsageError(const std::string& message) {
  absl::Status s = absl::InvalidArgumentError(message);
  s.SetPayload(kUsageUrl, absl::Cord("1"));
  return s;
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.GetPayload(kUsageUrl).has_value()) return kExitUsage;
  if (status.GetPayload(kCheckFailedUrl).has_value()) return kExitCheckFailed;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return kExitBadInput;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return kExitDenied;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
      return kExitUnavailable;
    default:
      return kExitInternal;
  }
}

std::string ExitCodeHelp() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  the check ran and did not pass\n"
         "  2  usage error (unknown command or option, missing argument)\n"
         "  3  bad input (malformed file or value, refused request)\n"
         "  4  not found (agent, policy, file)\n"
         "  5  permission denied (credentials refused)\n"
         "  6  service unreachable, timed out or overloaded\n"
         "  7  internal error\n";
}

}  // namespace candor::tenant
