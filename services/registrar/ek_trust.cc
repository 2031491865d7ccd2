#include "services/registrar/ek_trust.h"

#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/crypto/keys.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"
#include "services/registrar/ek_certificate.h"
#include "services/registrar/identity_checks.h"

namespace candor::registrar {

absl::StatusOr<absl::flat_hash_set<std::string>> ParseEkAllowlist(
    absl::string_view text, absl::string_view source) {
  absl::flat_hash_set<std::string> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::string entry = absl::AsciiStrToLower(line);
    if (!IsEkDerivedIdForm(entry)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "EK allowlist ", source, " line ", line_no,
          ": expected 64 hex characters (SHA-256 of the EK's TPM2B_PUBLIC), "
          "got ",
          line.size(), " characters"));
    }
    out.insert(std::move(entry));
  }
  return out;
}

absl::StatusOr<EkTrust> EkTrust::Load(const EkTrustOptions& options) {
  std::optional<crypto::CaStore> cas;
  if (!options.ca_dir.empty()) {
    ABSL_ASSIGN_OR_RETURN(crypto::CaStore store,
                          crypto::CaStore::LoadDirectory(options.ca_dir),
                          _ << "loading the EK CA directory");
    cas.emplace(std::move(store));
  }
  absl::flat_hash_set<std::string> allowlist;
  if (!options.allowlist_path.empty()) {
    std::ifstream in(options.allowlist_path, std::ios::binary);
    std::ostringstream text;
    if (!in || !(text << in.rdbuf())) {
      return absl::NotFoundError(absl::StrCat("cannot read the EK allowlist ",
                                              options.allowlist_path));
    }
    ABSL_ASSIGN_OR_RETURN(allowlist,
                          ParseEkAllowlist(text.str(), options.allowlist_path));
  }
  return EkTrust(std::move(cas), std::move(allowlist), options.allowlist_path,
                 options.accept_any_ek);
}

absl::StatusOr<EkTrust::Verdict> EkTrust::Check(
    const TPMT_PUBLIC& ek, absl::string_view ek_public,
    absl::string_view ek_certificate) const {
  const std::string ek_hash = EkHash(ek_public);
  const bool allowlisted = allowlist_.contains(ek_hash);
  const std::string allowlist_name =
      allowlist_source_.empty()
          ? "no EK allowlist is configured"
          : absl::StrCat("the EK (sha256 ", ek_hash,
                         ") is not on the EK allowlist ", allowlist_source_);
  if (ek_certificate.empty()) {
    if (accept_any_ek_) return Verdict{std::string(kTrustUnverified), ""};
    if (allowlisted) return Verdict{std::string(kTrustAllowlist), ""};
    return absl::PermissionDeniedError(absl::StrCat(
        "no EK certificate was sent and ", allowlist_name,
        allowlist_source_.empty() ? absl::StrCat(" (EK sha256 ", ek_hash, ")")
                                  : ""));
  }
  auto parsed = ParseEkCertificate(ek_certificate);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ek_certificate: ", parsed.status().message()));
  }
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<EVP_PKEY> ek_key,
                        tpm::PublicToEvpPkey(ek), _ << "ek_public");
  auto cert_key = crypto::CertificatePublicKey(parsed->cert.get());
  if (!cert_key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ek_certificate: its public key cannot be read: ",
                     cert_key.status().message()));
  }
  if (!crypto::PublicKeysEqual(ek_key.get(), cert_key->get())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ek_certificate (subject ", crypto::SubjectString(parsed->cert.get()),
        ", issuer ", crypto::IssuerString(parsed->cert.get()),
        ") certifies another key than ek_public"));
  }
  Verdict verdict{"", parsed->leniency};
  if (accept_any_ek_) {
    verdict.ek_trust = std::string(kTrustUnverified);
    return verdict;
  }
  std::string chain_error;
  if (cas_.has_value()) {
    auto chain = cas_->Verify(parsed->cert.get());
    if (chain.ok()) {
      verdict.ek_trust = chain->anchor_subject;
      return verdict;
    }
    chain_error = std::string(chain.status().message());
  } else {
    chain_error = absl::StrCat(
        "EK certificate ", crypto::SubjectString(parsed->cert.get()),
        " issued by ", crypto::IssuerString(parsed->cert.get()),
        " cannot be checked: no EK CA directory is configured");
  }
  if (allowlisted) {
    verdict.ek_trust = std::string(kTrustAllowlist);
    return verdict;
  }
  return absl::PermissionDeniedError(
      absl::StrCat(chain_error, "; and ", allowlist_name));
}

std::string EkTrust::Describe() const {
  if (accept_any_ek_) {
    return "EK trust DISABLED (--insecure_accept_any_ek): every EK is "
           "accepted as \"unverified\"";
  }
  std::string ca =
      cas_.has_value()
          ? absl::StrCat("EK CA directory ", cas_->source(), " (",
                         cas_->anchor_count(), " anchors, ",
                         cas_->intermediate_count(), " intermediates)")
          : "no EK CA directory (EK certificates are refused)";
  std::string list = allowlist_source_.empty()
                         ? "no EK allowlist"
                         : absl::StrCat("EK allowlist ", allowlist_source_,
                                        " (", allowlist_.size(), " entries)");
  return absl::StrCat(ca, "; ", list);
}

}  // namespace candor::registrar
