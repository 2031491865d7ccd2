// File: services/registrar/identity_checks.h
//
// Syntax and shape checks on what an agent sends to Register
// (protos/candor/v1/registrar.proto, common.proto AgentIdentity; README.md
// "Identity and key rules"). Every function returns INVALID_ARGUMENT naming
// the field and what is wrong, and OK otherwise. Pure and thread-safe. Trust
// decisions (EK certificate chain, allowlist) are in ek_trust.h.
#ifndef CANDOR_SERVICES_REGISTRAR_IDENTITY_CHECKS_H_
#define CANDOR_SERVICES_REGISTRAR_IDENTITY_CHECKS_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace candor::registrar {

// 1-64 characters from a-z 0-9 . -, starting and ending with a letter or a
// digit (lib/identity ValidateAgentId). `field` names the request field in
// the message ("agent_id").
absl::Status CheckAgentIdSyntax(absl::string_view agent_id,
                                absl::string_view field = "agent_id");

// True for 64 lowercase hex characters: the form of an EK-derived id
// (lib/identity LooksLikeEkHash).
bool IsEkDerivedIdForm(absl::string_view agent_id);

// The EK-derived agent id: lowercase hex SHA-256 of the marshalled
// TPM2B_PUBLIC (with its size) exactly as sent (lib/identity EkHash). Also
// the allowlist entry.
std::string EkHash(absl::string_view ek_public);

// A 64-hex agent id must equal EkHash(ek_public).
absl::Status CheckIdMatchesEk(absl::string_view agent_id,
                              absl::string_view ek_public);

// The AK is an attestation key: RSA (2048+ bits) or ECC; fixedTPM,
// fixedParent, sensitiveDataOrigin, restricted, sign and userWithAuth set,
// decrypt clear; scheme RSASSA, RSAPSS or ECDSA with SHA-256/384/512; nameAlg
// SHA-256/384/512. The message names the first missing property.
absl::Status CheckAkPublic(const TPMT_PUBLIC& ak);

// "host:port": host a DNS name, an IPv4 address or an IPv6 address in
// brackets; port 1-65535.
absl::Status CheckAddress(absl::string_view address);

// DER SubjectPublicKeyInfo of an RSA-2048 key with exponent 65537.
absl::Status CheckTransportKey(absl::string_view spki_der);

// DER X.509 with a subjectAltName dNSName equal to `agent_id`.
absl::Status CheckTlsCertificate(absl::string_view der,
                                 absl::string_view agent_id);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_IDENTITY_CHECKS_H_
