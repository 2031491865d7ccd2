#include "lib/status/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace candor {
namespace {

// grpc::StatusCode and absl::StatusCode are both the canonical codes 0..16.
// Anything outside that range (never produced by either library) is UNKNOWN.
constexpr int kMaxCanonicalCode = 16;

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  int code = static_cast<int>(status.code());
  if (code < 0 || code > kMaxCanonicalCode) code = grpc::StatusCode::UNKNOWN;
  return grpc::Status(static_cast<grpc::StatusCode>(code),
                      std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status, absl::string_view call) {
  if (status.ok()) return absl::OkStatus();
  int code = static_cast<int>(status.error_code());
  if (code < 0 || code > kMaxCanonicalCode) {
    code = static_cast<int>(absl::StatusCode::kUnknown);
  }
  std::string message = call.empty()
                            ? status.error_message()
                            : absl::StrCat(call, ": ", status.error_message());
  return absl::Status(static_cast<absl::StatusCode>(code), message);
}

}  // namespace candor
