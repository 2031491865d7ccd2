#include "lib/pki/pki.h"

#include <arpa/inet.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/x509.h"

namespace candor::pki {
namespace {

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

struct Issued {
  crypto::OsslPtr<EVP_PKEY> key;
  crypto::OsslPtr<X509> cert;
};

absl::StatusOr<Issued> Issue(const crypto::CertificateSpec& spec,
                             const X509* issuer, EVP_PKEY* issuer_key) {
  Issued out;
  absl::StatusOr<crypto::OsslPtr<EVP_PKEY>> key =
      crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256);
  if (!key.ok()) return key.status();
  out.key = std::move(*key);
  absl::StatusOr<crypto::OsslPtr<X509>> cert =
      crypto::IssueCertificate(spec, out.key.get(), issuer, issuer_key);
  if (!cert.ok()) return cert.status();
  out.cert = std::move(*cert);
  return out;
}

absl::Status Save(const std::string& dir, const std::string& name,
                  const Issued& issued, InitResult& result) {
  absl::StatusOr<std::string> pem = crypto::CertificateToPem(issued.cert.get());
  if (!pem.ok()) return pem.status();
  absl::StatusOr<crypto::SecretBytes> key =
      crypto::PrivateKeyToPem(issued.key.get());
  if (!key.ok()) return key.status();
  absl::Status s = WriteFileAtomically(KeyPath(dir, name), key->view(), 0600);
  if (s.ok()) s = WriteFileAtomically(CertPath(dir, name), *pem, 0644);
  if (!s.ok()) return s;
  result.files.push_back(CertPath(dir, name));
  result.files.push_back(KeyPath(dir, name));
  return absl::OkStatus();
}

}  // namespace

std::string CertPath(const std::string& dir, const std::string& name) {
  return absl::StrCat(dir, "/", name, ".crt");
}
std::string KeyPath(const std::string& dir, const std::string& name) {
  return absl::StrCat(dir, "/", name, ".key");
}

absl::StatusOr<InitResult> InitPki(const InitOptions& options) {
  if (options.dir.empty()) {
    return absl::InvalidArgumentError("no directory given for the certificates");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create ", options.dir, ": ", ec.message()));
  }
  if (!options.overwrite &&
      std::filesystem::exists(CertPath(options.dir, "ca"), ec)) {
    return absl::AlreadyExistsError(absl::StrCat(
        options.dir, " already holds a Candor CA (ca.crt); pass --force to "
        "replace it (every certificate it issued stops working)"));
  }
  crypto::CertificateSpec ca_spec;
  ca_spec.common_name = "Candor CA";
  ca_spec.is_ca = true;
  ca_spec.validity = absl::Hours(24 * 365 * 10);
  absl::StatusOr<Issued> ca = Issue(ca_spec, nullptr, nullptr);
  if (!ca.ok()) return ca.status();

  crypto::CertificateSpec server;
  for (const std::string& n : options.server_names) {
    (IsIp(n) ? server.ip_addresses : server.dns_names).push_back(n);
  }
  server.validity = options.validity;
  struct Entry {
    std::string name, cn, ou;
    bool server_auth, client_auth;
  } entries[] = {
      {"registrar", "candor-registrar", "", true, false},
      {"verifier", "candor-verifier", "verifier", true, true},
      {"tenant", "candor-tenant", "admin", false, true},
      {"revocation", "candor-revocation", "revocation", false, false},
  };
  InitResult result;
  for (const Entry& e : entries) {
    crypto::CertificateSpec spec =
        e.server_auth ? server : crypto::CertificateSpec{};
    spec.validity = options.validity;
    spec.common_name = e.cn;
    spec.organizational_unit = e.ou;
    spec.server_auth = e.server_auth;
    spec.client_auth = e.client_auth;
    absl::StatusOr<Issued> issued = Issue(spec, ca->cert.get(), ca->key.get());
    if (!issued.ok()) return issued.status();
    absl::Status s = Save(options.dir, e.name, *issued, result);
    if (!s.ok()) return s;
  }
  // The CA last: a directory with ca.crt is complete.
  absl::Status s = Save(options.dir, "ca", *ca, result);
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<PemPair> MakeAgentCertificate(const std::string& agent_id,
                                             absl::Duration validity) {
  crypto::CertificateSpec spec;
  spec.common_name = agent_id;
  spec.dns_names = {agent_id};
  spec.server_auth = true;
  spec.client_auth = true;
  spec.validity = validity;
  absl::StatusOr<Issued> issued = Issue(spec, nullptr, nullptr);
  if (!issued.ok()) return issued.status();
  absl::StatusOr<std::string> cert = crypto::CertificateToPem(issued->cert.get());
  if (!cert.ok()) return cert.status();
  absl::StatusOr<crypto::SecretBytes> key =
      crypto::PrivateKeyToPem(issued->key.get());
  if (!key.ok()) return key.status();
  PemPair out;
  out.cert_pem = std::move(*cert);
  out.key_pem = std::move(*key);
  return out;
}

}  // namespace candor::pki
