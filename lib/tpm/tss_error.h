// File: lib/tpm/tss_error.h
//
// TSS2_RC -> absl::Status, in one place (after Botan's check_rc and libhwsec's
// TPM2Error retry classes).
//
//   ABSL_RETURN_IF_ERROR(TssError("Esys_Quote", Esys_Quote(ctx, ...)))
//       << "quoting for agent " << id;
//   // -> UNAVAILABLE "Esys_Quote: tpm:warn(2.0): the TPM was not able to start
//   //    the command (rc=0x922, retry: later); quoting for agent ..."
//
// Codes: kLater and kCommunication -> UNAVAILABLE, kDefend ->
// RESOURCE_EXHAUSTED, kReboot -> FAILED_PRECONDITION, anything else ->
// INTERNAL. The raw rc rides along as the payload kTssRcPayloadUrl (4 bytes,
// big-endian) and survives StatusBuilder context; read it back with
// TssRcFromStatus. All functions are pure and thread-safe.
#ifndef CANDOR_LIB_TPM_TSS_ERROR_H_
#define CANDOR_LIB_TPM_TSS_ERROR_H_

#include <tss2/tss2_common.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace candor::tpm {

inline constexpr absl::string_view kTssRcPayloadUrl = "candor.tpm/rc";

enum class RetryClass {
  kNone,           // retrying will not help
  kLater,          // TPM busy: TPM_RC_RETRY, NV_RATE, YIELDED, TESTING
  kCommunication,  // TCTI I/O: IO_ERROR, TRY_AGAIN, NO_CONNECTION
  kReboot,         // TPM_RC_INITIALIZE, TPM_RC_REBOOT: needs Startup/reboot
  kDefend,         // TPM_RC_LOCKOUT: dictionary-attack lockout
};

// Classifies `rc` after stripping the layer bits. TPM codes count from the TPM
// layer and the resource manager's TPM layer; communication errors only from
// the TCTI layer. Format-one TPM codes (parameter/handle/session errors) are
// kNone. TSS2_RC_SUCCESS is kNone.
RetryClass ClassifyRc(TSS2_RC rc);

// "none", "later", "communication", "reboot", "defend".
absl::string_view RetryClassName(RetryClass retry);

// OK for TSS2_RC_SUCCESS; otherwise a status with the code above and the
// message "<call>: <Tss2_RC_Decode(rc)> (rc=0x<hex>, retry: <class>)".
absl::Status TssError(absl::string_view call, TSS2_RC rc);

// The rc TssError stored in `status`, or nullopt if there is none.
std::optional<TSS2_RC> TssRcFromStatus(const absl::Status& status);

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_TSS_ERROR_H_
