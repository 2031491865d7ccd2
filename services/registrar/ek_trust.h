// File: services/registrar/ek_trust.h
//
// Whether the registrar trusts an EK (DESIGN.md "RegistrarService"; Keylime
// leaves this to the tenant, KL#1681/#1775 are the user pain):
//   - with an EK certificate: the certificate (parsed leniently, see
//     ek_certificate.h) must carry the same public key as ek_public
//     (INVALID_ARGUMENT otherwise: the request contradicts itself), and chain
//     to a CA in the configured directory: trust = the anchor's subject;
//   - without one, or when the chain fails: the EK's hash (lowercase hex
//     SHA-256 of the marshalled TPM2B_PUBLIC) must be on the allowlist:
//     trust = "allowlist". An allowlist entry is explicit operator trust, so
//     it also admits an EK whose certificate's CA is not configured;
//   - otherwise PERMISSION_DENIED, naming the certificate's subject and
//     issuer, the CA directory and the allowlist.
// With accept_any_ek (tests and the load simulator only) every EK passes as
// "unverified" (after the certificate/key consistency check).
//
// Immutable after Load; Check may be called from many threads.
#ifndef CANDOR_SERVICES_REGISTRAR_EK_TRUST_H_
#define CANDOR_SERVICES_REGISTRAR_EK_TRUST_H_

#include <tss2/tss2_tpm2_types.h>

#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/x509.h"

namespace candor::registrar {

inline constexpr absl::string_view kTrustAllowlist = "allowlist";
inline constexpr absl::string_view kTrustUnverified = "unverified";

struct EkTrustOptions {
  std::string ca_dir;          // directory of EK CA certificates; "" = none
  std::string allowlist_path;  // allowlist file; "" = none
  bool accept_any_ek = false;  // trust every EK ("unverified")
};

// The allowlist file: one lowercase or uppercase 64-hex EK hash per line;
// '#' starts a comment; blank lines are ignored. INVALID_ARGUMENT naming
// `source` and the 1-based line of the first bad entry.
absl::StatusOr<absl::flat_hash_set<std::string>> ParseEkAllowlist(
    absl::string_view text, absl::string_view source);

class EkTrust {
 public:
  // Loads the CA directory (lib/crypto CaStore::LoadDirectory errors) and the
  // allowlist file (NOT_FOUND if unreadable, INVALID_ARGUMENT if malformed).
  static absl::StatusOr<EkTrust> Load(const EkTrustOptions& options);

  EkTrust(std::optional<crypto::CaStore> cas,
          absl::flat_hash_set<std::string> allowlist,
          std::string allowlist_source, bool accept_any_ek)
      : cas_(std::move(cas)),
        allowlist_(std::move(allowlist)),
        allowlist_source_(std::move(allowlist_source)),
        accept_any_ek_(accept_any_ek) {}

  struct Verdict {
    std::string ek_trust;  // RegisteredAgent.ek_trust
    std::string note;      // what certificate leniency was applied, or ""
  };
  // `ek` is the parsed `ek_public`; `ek_certificate` may be empty.
  absl::StatusOr<Verdict> Check(const TPMT_PUBLIC& ek,
                                absl::string_view ek_public,
                                absl::string_view ek_certificate) const;

  // One line for the start-up log: CA directory, anchors, allowlist size.
  std::string Describe() const;

 private:
  std::optional<crypto::CaStore> cas_;
  absl::flat_hash_set<std::string> allowlist_;
  std::string allowlist_source_;
  bool accept_any_ek_;
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_EK_TRUST_H_
