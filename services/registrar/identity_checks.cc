#include "services/registrar/identity_checks.h"

#include <openssl/core_names.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/rpc/host_port.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/x509.h"
#include "lib/identity/agent_id.h"
#include "lib/tpm/public_key.h"

namespace candor::registrar {
namespace {

bool StrongHash(TPMI_ALG_HASH h) {
  return h == TPM2_ALG_SHA256 || h == TPM2_ALG_SHA384 || h == TPM2_ALG_SHA512;
}

// A printable rendering of untrusted text for error messages.
std::string Quote(absl::string_view s) {
  if (s.size() > 80) s = s.substr(0, 80);
  return absl::StrCat("\"", absl::CEscape(s), "\"");
}

}  // namespace

absl::Status CheckAgentIdSyntax(absl::string_view id, absl::string_view field) {
  absl::Status s = identity::ValidateAgentId(id);
  if (s.ok()) return s;
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", s.message()));
}

bool IsEkDerivedIdForm(absl::string_view id) {
  return identity::LooksLikeEkHash(id);
}

std::string EkHash(absl::string_view ek_public) {
  return identity::EkHash(ek_public);
}

absl::Status CheckIdMatchesEk(absl::string_view agent_id,
                              absl::string_view ek_public) {
  if (!IsEkDerivedIdForm(agent_id)) return absl::OkStatus();
  const std::string expected = EkHash(ek_public);
  if (agent_id != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("agent_id ", agent_id,
                     " has the form of an EK-derived id but is not "
                     "the SHA-256 of ek_public (",
                     expected, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckAkPublic(const TPMT_PUBLIC& ak) {
  if (ak.type != TPM2_ALG_RSA && ak.type != TPM2_ALG_ECC) {
    return absl::InvalidArgumentError(absl::StrCat("ak_public: type ",
                                                   tpm::TpmAlgName(ak.type),
                                                   " is neither RSA nor ECC"));
  }
  static constexpr struct {
    TPMA_OBJECT bit;
    const char* name;
  } kRequired[] = {
      {TPMA_OBJECT_FIXEDTPM, "fixedTPM"},
      {TPMA_OBJECT_FIXEDPARENT, "fixedParent"},
      {TPMA_OBJECT_SENSITIVEDATAORIGIN, "sensitiveDataOrigin"},
      {TPMA_OBJECT_RESTRICTED, "restricted"},
      {TPMA_OBJECT_SIGN_ENCRYPT, "sign"},
      {TPMA_OBJECT_USERWITHAUTH, "userWithAuth"},
  };
  for (const auto& r : kRequired) {
    if ((ak.objectAttributes & r.bit) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ak_public: the AK lacks the ", r.name,
          " attribute (an attestation key needs fixedTPM, fixedParent, "
          "sensitiveDataOrigin, restricted, sign and userWithAuth)"));
    }
  }
  if ((ak.objectAttributes & TPMA_OBJECT_DECRYPT) != 0) {
    return absl::InvalidArgumentError(
        "ak_public: the AK has the decrypt attribute set (an attestation key "
        "must only sign)");
  }
  if (!StrongHash(ak.nameAlg)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ak_public: nameAlg ", tpm::TpmAlgName(ak.nameAlg),
                     " is not SHA-256, SHA-384 or SHA-512"));
  }
  const TPMI_ALG_ASYM_SCHEME scheme =
      ak.type == TPM2_ALG_RSA ? ak.parameters.rsaDetail.scheme.scheme
                              : ak.parameters.eccDetail.scheme.scheme;
  const TPMI_ALG_HASH hash =
      ak.type == TPM2_ALG_RSA
          ? ak.parameters.rsaDetail.scheme.details.anySig.hashAlg
          : ak.parameters.eccDetail.scheme.details.anySig.hashAlg;
  const bool scheme_ok = ak.type == TPM2_ALG_RSA ? (scheme == TPM2_ALG_RSASSA ||
                                                    scheme == TPM2_ALG_RSAPSS)
                                                 : scheme == TPM2_ALG_ECDSA;
  if (!scheme_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ak_public: signing scheme ", tpm::TpmAlgName(scheme),
        " is not accepted (RSASSA or RSAPSS for RSA, ECDSA for ECC)"));
  }
  if (!StrongHash(hash)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ak_public: the signing scheme's hash ", tpm::TpmAlgName(hash),
        " is not SHA-256, SHA-384 or "
        "SHA-512"));
  }
  if (ak.type == TPM2_ALG_RSA && ak.parameters.rsaDetail.keyBits < 2048) {
    return absl::InvalidArgumentError(
        absl::StrCat("ak_public: RSA AK of ", ak.parameters.rsaDetail.keyBits,
                     " bits (2048 or more needed)"));
  }
  auto key = tpm::PublicToEvpPkey(ak);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("ak_public: ", key.status().message()));
  }
  return absl::OkStatus();
}

absl::Status CheckAddress(absl::string_view address) {
  absl::Status s = rpc::CheckHostPort(address);
  if (s.ok()) return s;
  return absl::InvalidArgumentError(absl::StrCat("address ", s.message()));
}

absl::Status CheckTransportKey(absl::string_view spki_der) {
  auto key = crypto::PublicKeyFromDer(spki_der);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("transport_public_key is not a DER SubjectPublicKeyInfo: ",
                     key.status().message()));
  }
  if (!EVP_PKEY_is_a(key->get(), "RSA") ||
      EVP_PKEY_get_bits(key->get()) != 2048) {
    return absl::InvalidArgumentError(
        absl::StrCat("transport_public_key must be RSA-2048; got a ",
                     EVP_PKEY_get_bits(key->get()), "-bit ",
                     EVP_PKEY_get0_type_name(key->get()), " key"));
  }
  BIGNUM* raw = nullptr;
  crypto::OsslPtr<BIGNUM> e;
  if (EVP_PKEY_get_bn_param(key->get(), OSSL_PKEY_PARAM_RSA_E, &raw) == 1) {
    e.reset(raw);
  }
  if (e == nullptr || !BN_is_word(e.get(), 65537)) {
    return absl::InvalidArgumentError(
        "transport_public_key must have the public exponent 65537");
  }
  return absl::OkStatus();
}

absl::Status CheckTlsCertificate(absl::string_view der,
                                 absl::string_view agent_id) {
  if (absl::StartsWith(der, "-----")) {
    return absl::InvalidArgumentError(
        "tls_certificate is PEM; the contract is DER X.509");
  }
  auto cert = crypto::ParseCertificate(der);
  if (!cert.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tls_certificate: ", cert.status().message()));
  }
  crypto::OsslPtr<GENERAL_NAMES> names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> seen;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get());
       ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type != GEN_DNS) continue;
    absl::string_view dns(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
        static_cast<size_t>(ASN1_STRING_length(n->d.dNSName)));
    if (dns == agent_id) return absl::OkStatus();
    seen.push_back(Quote(dns));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "tls_certificate has no subjectAltName dNSName equal to the agent id ",
      agent_id,
      seen.empty()
          ? " (it has no dNSName)"
          : absl::StrCat(" (it has ", absl::StrJoin(seen, ", "), ")")));
}

}  // namespace candor::registrar
