// File: tools/common/tool_main.h
//
// The end of every tool's main(): print the result (stdout) or the error
// (stderr, "<tool>: error: <message>") and pick the exit code: 0 success,
// 2 usage errors (INVALID_ARGUMENT: bad or conflicting options), 1 anything
// else. Also opens the TPM a tool was pointed at. Thread-compatible.
#ifndef CANDOR_TOOLS_COMMON_TOOL_MAIN_H_
#define CANDOR_TOOLS_COMMON_TOOL_MAIN_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/tpm/tpm.h"

namespace candor::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int ExitCodeFor(const absl::Status& status);

// Prints `result` and returns its exit code.
int FinishTool(absl::string_view tool,
               const absl::StatusOr<std::string>& result);

// EsysTpm::Create(ResolveTcti(tcti_flag)), with the TCTI named in errors.
absl::StatusOr<std::unique_ptr<tpm::Tpm>> OpenTpm(absl::string_view tcti_flag);

}  // namespace candor::tools

#endif  // CANDOR_TOOLS_COMMON_TOOL_MAIN_H_
