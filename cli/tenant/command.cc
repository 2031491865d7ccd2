#include "cli/tenant/command.h"

#include <cstdlib>

namespace candor::tenant {

Output CommandContext::MakeOutput() const {
  absl::StatusOr<OutputFormat> f = ParseOutputFormat(output_format);
  // -o is validated by CLI11 (IsMember), so this only guards misuse.
  return Output(f.ok() ? *f : OutputFormat::kTable, out_path);
}

void CommandRegistry::Bind(CLI::App* sub, CommandAction action) {
  auto shared = std::make_shared<CommandAction>(std::move(action));
  sub->callback([this, shared] { selected_ = shared; });
}

}  // namespace candor::tenant
