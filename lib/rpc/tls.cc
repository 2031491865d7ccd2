#include "lib/rpc/tls.h"


#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/rpc/server.h"

namespace candor::rpc {
namespace {

absl::Status ExpectPem(const std::string& path, absl::string_view content,
                       absl::string_view what) {
  if (!absl::StrContains(content, "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a PEM file (expected ", what, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TlsServerConfig> LoadTlsServerConfig(
    const std::string& cert_path, const std::string& key_path,
    const std::string& client_ca_path) {
  TlsServerConfig c;
  absl::StatusOr<std::string> cert = ReadFile(cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(key_path);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> ca = ReadFile(client_ca_path);
  if (!ca.ok()) return ca.status();
  absl::Status s = ExpectPem(cert_path, *cert, "a certificate");
  if (s.ok()) s = ExpectPem(key_path, *key, "a private key");
  if (s.ok()) s = ExpectPem(client_ca_path, *ca, "CA certificates");
  if (!s.ok()) return s;
  c.cert_pem = std::move(*cert);
  c.key_pem = crypto::SecretBytes(*key);
  c.client_ca_pem = std::move(*ca);
  return c;
}

absl::StatusOr<TlsClientConfig> LoadTlsClientConfig(
    const std::string& ca_path, const std::string& cert_path,
    const std::string& key_path) {
  TlsClientConfig c;
  absl::StatusOr<std::string> ca = ReadFile(ca_path);
  if (!ca.ok()) return ca.status();
  absl::Status s = ExpectPem(ca_path, *ca, "CA certificates");
  if (!s.ok()) return s;
  c.root_pem = std::move(*ca);
  if (!cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadFile(cert_path);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(key_path);
    if (!key.ok()) return key.status();
    s = ExpectPem(cert_path, *cert, "a certificate");
    if (s.ok()) s = ExpectPem(key_path, *key, "a private key");
    if (!s.ok()) return s;
    c.cert_pem = std::move(*cert);
    c.key_pem = crypto::SecretBytes(*key);
  }
  return c;
}

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(
    const TlsServerConfig& config) {
  grpc::SslServerCredentialsOptions opts(
      config.require_client_cert
          ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
          : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  opts.pem_root_certs = config.client_ca_pem;
  opts.pem_key_cert_pairs.push_back(
      {std::string(config.key_pem.view()), config.cert_pem});
  return grpc::SslServerCredentials(opts);
}

std::shared_ptr<grpc::Channel> Dial(const std::string& address,
                                    const TlsClientConfig* tls) {
  grpc::ChannelArguments args = ClientChannelArguments();
  if (tls == nullptr) {
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                     args);
  }
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = tls->root_pem;
  if (!tls->cert_pem.empty()) {
    opts.pem_cert_chain = tls->cert_pem;
    opts.pem_private_key = std::string(tls->key_pem.view());
  }
  if (!tls->target_name.empty()) {
    args.SetSslTargetNameOverride(tls->target_name);
  }
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(opts), args);
}

}  // namespace candor::rpc
