#include "cli/tenant/command.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"

namespace candor::tenant {

Output CommandContext::MakeOutput() const {
  absl::StatusOr<OutputFormat> f = ParseOutputFormat(output_format);
  // -o is validated by CLI11 (IsMember), so this only guards misuse.
  return Output(f.ok() ? *f : OutputFormat::kTable, out_path);
}

std::string DefaultCertsDir() {
  if (const char* d = std::getenv("CANDOR_CERTS_DIR"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : ".", "/.candor/certs");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CommandContext::Dial(
    const std::string& address) const {
  if (insecure) return rpc::Dial(address, nullptr);
  absl::StatusOr<rpc::TlsClientConfig> tls = rpc::LoadTlsClientConfig(
      pki::CertPath(certs_dir, "ca"), pki::CertPath(certs_dir, "tenant"),
      pki::KeyPath(certs_dir, "tenant"));
  if (!tls.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        tls.status().message(), " (the tenant's certificates come from "
        "`tenant certs init --dir ", certs_dir, "`; --certs DIR picks another "
        "directory)"));
  }
  return rpc::Dial(address, &*tls);
}

std::chrono::system_clock::time_point CommandContext::Deadline() const {
  return std::chrono::system_clock::now() +
         std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
}

void CommandRegistry::Bind(CLI::App* sub, CommandAction action) {
  auto shared = std::make_shared<CommandAction>(std::move(action));
  sub->callback([this, shared] { selected_ = shared; });
}

}  // namespace candor::tenant
