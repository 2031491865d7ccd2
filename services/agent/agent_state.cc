#include "services/agent/agent_state.h"

#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/x509.h"
#include "lib/pki/pki.h"

namespace candor::agent {
namespace {

constexpr char kTransportKey[] = "transport.key";
constexpr char kTlsKey[] = "tls.key";
constexpr char kTlsCert[] = "tls.crt";

// True when `cert`'s CN is `agent_id` and it is valid for at least a day.
bool CertificateFits(X509* cert, const std::string& agent_id) {
  char cn[256];
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
                                    NID_commonName, cn, sizeof(cn));
  if (n < 0 || std::string(cn, static_cast<size_t>(n)) != agent_id) {
    return false;
  }
  time_t in_a_day = time(nullptr) + 24 * 3600;
  return X509_cmp_time(X509_get0_notAfter(cert), &in_a_day) > 0;
}

}  // namespace

absl::StatusOr<AgentState> AgentState::Open(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create the agent state directory ", dir, ": ",
        strerror(errno)));
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent state path ", dir, " is not a directory"));
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent state directory ", dir, " is not writable"));
  }
  return AgentState(dir);
}

absl::StatusOr<crypto::OsslPtr<EVP_PKEY>>
AgentState::LoadOrCreateTransportKey() {
  absl::StatusOr<std::string> pem = ReadFile(Path(kTransportKey));
  if (pem.ok()) {
    crypto::SecretBytes secret(*pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    absl::StatusOr<crypto::OsslPtr<EVP_PKEY>> key =
        crypto::PrivateKeyFromPem(secret.view());
    if (!key.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          Path(kTransportKey), " is not a PEM private key; remove it to make "
          "a new transport key (the agent must then be re-added)"));
    }
    return key;
  }
  if (pem.status().code() != absl::StatusCode::kNotFound) return pem.status();
  absl::StatusOr<crypto::OsslPtr<EVP_PKEY>> key =
      crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048);
  if (!key.ok()) return key.status();
  absl::StatusOr<crypto::SecretBytes> out = crypto::PrivateKeyToPem(key->get());
  if (!out.ok()) return out.status();
  absl::Status s = WriteFileAtomically(Path(kTransportKey), out->view(), 0600);
  if (!s.ok()) return s;
  return key;
}

absl::StatusOr<TlsIdentity> AgentState::LoadOrCreateTlsIdentity(
    const std::string& agent_id, absl::Duration validity) {
  absl::StatusOr<std::string> cert_pem = ReadFile(Path(kTlsCert));
  absl::StatusOr<std::string> key_pem = ReadFile(Path(kTlsKey));
  if (cert_pem.ok() && key_pem.ok()) {
    absl::StatusOr<crypto::OsslPtr<X509>> cert =
        crypto::ParseCertificate(*cert_pem);
    if (cert.ok() && CertificateFits(cert->get(), agent_id)) {
      TlsIdentity id{*cert_pem, crypto::SecretBytes(*key_pem)};
      OPENSSL_cleanse(key_pem->data(), key_pem->size());
      return id;
    }
  }
  absl::StatusOr<pki::PemPair> fresh =
      pki::MakeAgentCertificate(agent_id, validity);
  if (!fresh.ok()) return fresh.status();
  absl::Status s =
      WriteFileAtomically(Path(kTlsKey), fresh->key_pem.view(), 0600);
  if (s.ok()) s = WriteFileAtomically(Path(kTlsCert), fresh->cert_pem, 0644);
  if (!s.ok()) return s;
  return TlsIdentity{fresh->cert_pem, std::move(fresh->key_pem)};
}

absl::StatusOr<std::optional<StoredAk>> AgentState::LoadAk(
    const std::string& ek) {
  std::string pub_path = Path(absl::StrCat("ak-", ek, ".pub"));
  std::string priv_path = Path(absl::StrCat("ak-", ek, ".priv"));
  absl::StatusOr<std::string> pub = ReadFile(pub_path);
  absl::StatusOr<std::string> priv = ReadFile(priv_path);
  bool has_pub = pub.ok(), has_priv = priv.ok();
  if (!has_pub && pub.status().code() != absl::StatusCode::kNotFound) {
    return pub.status();
  }
  if (!has_priv && priv.status().code() != absl::StatusCode::kNotFound) {
    return priv.status();
  }
  if (!has_pub && !has_priv) return std::optional<StoredAk>();
  if (has_pub != has_priv) {
    return absl::InvalidArgumentError(absl::StrCat(
        "only one of ", pub_path, " and ", priv_path,
        " exists; remove both to create a new AK (the agent must then "
        "register again)"));
  }
  return std::optional<StoredAk>(StoredAk{*pub, *priv});
}

absl::Status AgentState::SaveAk(const std::string& ek, const StoredAk& blobs) {
  // The private blob first: a public blob alone is a detectable error.
  absl::Status s = WriteFileAtomically(
      Path(absl::StrCat("ak-", ek, ".priv")), blobs.private_area, 0600);
  if (!s.ok()) return s;
  return WriteFileAtomically(Path(absl::StrCat("ak-", ek, ".pub")),
                             blobs.public_area, 0644);
}

}  // namespace candor::agent
