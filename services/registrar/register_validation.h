// File: services/registrar/register_validation.h
//
// Everything Register checks before it touches the store, in this order
// (each refusal names the field and what is wrong; codes as in
// registrar.proto):
//   1. identity present, agent_id syntax                 INVALID_ARGUMENT
//   2. ek_public parses strictly (lib/tpm ParseTpm2bPublic) and can protect
//      a credential (make_credential.h CheckCredentialEk)  INVALID_ARGUMENT
//   3. a 64-hex agent_id is SHA-256 of ek_public          INVALID_ARGUMENT
//   4. ak_public parses and is an attestation key (identity_checks.h
//      CheckAkPublic); ak_name, if sent, equals its Name  INVALID_ARGUMENT
//   5. address "host:port"; transport key RSA-2048/65537 and TLS certificate
//      with SAN dNSName = agent_id, each when sent         INVALID_ARGUMENT
//   6. simulated agents only when accepted                PERMISSION_DENIED
//   7. EK trust (ek_trust.h): certificate key = EK        INVALID_ARGUMENT,
//      chain to a configured CA or allowlisted EK         PERMISSION_DENIED
// transport_public_key and tls_certificate may be empty for now (agents
// without mTLS yet); see README.md.
// Pure apart from EkTrust (immutable); thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_REGISTER_VALIDATION_H_
#define CANDOR_SERVICES_REGISTRAR_REGISTER_VALIDATION_H_

#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/status/statusor.h"
#include "candor/v1/registrar.pb.h"
#include "services/registrar/ek_trust.h"
#include "services/registrar/registration.h"

namespace candor::registrar {

struct ValidatedRegistration {
  TPMT_PUBLIC ek = {};  // the parsed ek_public
  Binding binding;      // identity with ak_name computed, address, ek_trust
  std::string note;     // EK certificate leniency applied, or ""
};

absl::StatusOr<ValidatedRegistration> ValidateRegistration(
    const v1::RegisterRequest& request, const EkTrust& trust,
    bool accept_simulated);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_REGISTER_VALIDATION_H_
