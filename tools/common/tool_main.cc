#include "tools/common/tool_main.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/esys_tpm.h"
#include "tools/common/tpm_target.h"

namespace candor::tools {

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == absl::StatusCode::kInvalidArgument) return kExitUsage;
  return kExitFailure;
}

int FinishTool(absl::string_view tool,
               const absl::StatusOr<std::string>& result) {
  if (!result.ok()) {
    std::cerr << tool << ": error: " << result.status().message() << "\n";
    return ExitCodeFor(result.status());
  }
  if (!result->empty()) std::cout << *result << "\n";
  return kExitOk;
}

absl::StatusOr<std::unique_ptr<tpm::Tpm>> OpenTpm(absl::string_view tcti_flag) {
  const std::string tcti = ResolveTcti(tcti_flag);
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<tpm::EsysTpm> t,
                        tpm::EsysTpm::Create(tcti),
                        _ << "opening the TPM at " << tcti);
  return std::unique_ptr<tpm::Tpm>(std::move(t));
}

}  // namespace candor::tools
