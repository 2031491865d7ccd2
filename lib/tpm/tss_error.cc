#include "lib/tpm/tss_error.h"

#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace candor::tpm {
namespace {

constexpr TSS2_RC kBaseMask = 0xFFFF;

RetryClass ClassifyTpmRc(TSS2_RC base) {
  if ((base & TPM2_RC_FMT1) != 0) return RetryClass::kNone;
  switch (base) {
    case TPM2_RC_RETRY:
    case TPM2_RC_NV_RATE:
    case TPM2_RC_YIELDED:
    case TPM2_RC_TESTING:
      return RetryClass::kLater;
    case TPM2_RC_INITIALIZE:
    case TPM2_RC_REBOOT:
      return RetryClass::kReboot;
    case TPM2_RC_LOCKOUT:
      return RetryClass::kDefend;
    default:
      return RetryClass::kNone;
  }
}

absl::StatusCode CodeFor(RetryClass retry) {
  switch (retry) {
    case RetryClass::kLater:
    case RetryClass::kCommunication:
      return absl::StatusCode::kUnavailable;
    case RetryClass::kDefend:
      return absl::StatusCode::kResourceExhausted;
    case RetryClass::kReboot:
      return absl::StatusCode::kFailedPrecondition;
    case RetryClass::kNone:
      break;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

RetryClass ClassifyRc(TSS2_RC rc) {
  const TSS2_RC layer = rc & TSS2_RC_LAYER_MASK;
  const TSS2_RC base = rc & kBaseMask;
  if (rc == TSS2_RC_SUCCESS) return RetryClass::kNone;
  if (layer == TSS2_TPM_RC_LAYER || layer == TSS2_RESMGR_TPM_RC_LAYER) {
    return ClassifyTpmRc(base);
  }
  if (layer == TSS2_TCTI_RC_LAYER) {
    switch (base) {
      case TSS2_BASE_RC_IO_ERROR:
      case TSS2_BASE_RC_TRY_AGAIN:
      case TSS2_BASE_RC_NO_CONNECTION:
        return RetryClass::kCommunication;
      default:
        break;
    }
  }
  return RetryClass::kNone;
}

absl::string_view RetryClassName(RetryClass retry) {
  switch (retry) {
    case RetryClass::kNone:
      return "none";
    case RetryClass::kLater:
      return "later";
    case RetryClass::kCommunication:
      return "communication";
    case RetryClass::kReboot:
      return "reboot";
    case RetryClass::kDefend:
      return "defend";
  }
  return "none";
}

absl::Status TssError(absl::string_view call, TSS2_RC rc) {
  if (rc == TSS2_RC_SUCCESS) return absl::OkStatus();
  const RetryClass retry = ClassifyRc(rc);
  // Tss2_RC_Decode returns a thread-local buffer: copy it at once.
  const char* decoded = Tss2_RC_Decode(rc);
  absl::Status status(
      CodeFor(retry),
      absl::StrCat(call, ": ", decoded != nullptr ? decoded : "unknown error",
                   " (rc=0x", absl::Hex(rc), ", retry: ", RetryClassName(retry),
                   ")"));
  const char be[4] = {static_cast<char>(rc >> 24), static_cast<char>(rc >> 16),
                      static_cast<char>(rc >> 8), static_cast<char>(rc)};
  status.SetPayload(kTssRcPayloadUrl, absl::Cord(absl::string_view(be, 4)));
  return status;
}

std::optional<TSS2_RC> TssRcFromStatus(const absl::Status& status) {
  auto payload = status.GetPayload(kTssRcPayloadUrl);
  if (!payload.has_value() || payload->size() != 4) return std::nullopt;
  std::string bytes(*payload);
  TSS2_RC rc = 0;
  for (unsigned char b : bytes) rc = (rc << 8) | b;
  return rc;
}

}  // namespace candor::tpm
