#include "lib/rpc/server_security.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "lib/rpc/tls.h"

ABSL_FLAG(std::string, tls_cert, "",
          "Server certificate (PEM), e.g. registrar.crt from `tenant certs "
          "init`");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM)");
ABSL_FLAG(std::string, tls_ca, "",
          "The Candor CA certificate (PEM): client certificates must chain "
          "to it");

namespace candor::rpc {

absl::StatusOr<ServerSecurity> ServerSecurityFromFlags(
    bool insecure, bool require_client_cert) {
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  const std::string ca = absl::GetFlag(FLAGS_tls_ca);
  const int given = !cert.empty() + !key.empty() + !ca.empty();
  ServerSecurity out;
  if (insecure) {
    if (given > 0) {
      return absl::InvalidArgumentError(
          "--insecure and --tls_cert/--tls_key/--tls_ca exclude each other");
    }
    out.insecure = true;
    out.authorizer = MakeInsecureAuthorizer();
    return out;
  }
  if (given == 0) {
    return absl::FailedPreconditionError(
        "no transport security configured: pass --tls_cert, --tls_key and "
        "--tls_ca (certificates from `tenant certs init`), or --insecure for "
        "local debugging");
  }
  if (given < 3) {
    return absl::InvalidArgumentError(
        "--tls_cert, --tls_key and --tls_ca must be given together");
  }
  absl::StatusOr<TlsServerConfig> config = LoadTlsServerConfig(cert, key, ca);
  if (!config.ok()) return config.status();
  config->require_client_cert = require_client_cert;
  out.credentials = MakeServerCredentials(*config);
  out.authorizer = MakeMtlsAuthorizer();
  return out;
}

}  // namespace candor::rpc
