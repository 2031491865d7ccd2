#include "services/registrar/register_validation.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/make_credential.h"

namespace candor::registrar {
namespace {

absl::Status Field(absl::string_view field, const absl::Status& s) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(field, ": ", s.message()));
}

}  // namespace

absl::StatusOr<ValidatedRegistration> ValidateRegistration(
    const v1::RegisterRequest& request, const EkTrust& trust,
    bool accept_simulated) {
  if (!request.has_identity()) {
    return absl::InvalidArgumentError("identity is required");
  }
  const v1::AgentIdentity& id = request.identity();
  ABSL_RETURN_IF_ERROR(CheckAgentIdSyntax(id.agent_id(), "identity.agent_id"));

  ValidatedRegistration out;
  auto ek = tpm::ParseTpm2bPublic(id.ek_public());
  if (!ek.ok()) return Field("ek_public", ek.status());
  ABSL_RETURN_IF_ERROR(Field("ek_public", CheckCredentialEk(ek->publicArea)));
  out.ek = ek->publicArea;
  ABSL_RETURN_IF_ERROR(CheckIdMatchesEk(id.agent_id(), id.ek_public()));

  auto ak = tpm::ParseTpm2bPublic(id.ak_public());
  if (!ak.ok()) return Field("ak_public", ak.status());
  ABSL_RETURN_IF_ERROR(CheckAkPublic(ak->publicArea));
  auto ak_name = tpm::ComputeName(ak->publicArea);
  if (!ak_name.ok()) return Field("ak_public", ak_name.status());
  if (!id.ak_name().empty() && id.ak_name() != *ak_name) {
    return absl::InvalidArgumentError(
        absl::StrCat("ak_name ", absl::BytesToHexString(id.ak_name()),
                     " does not match ak_public, whose Name is ",
                     absl::BytesToHexString(*ak_name)));
  }
  ABSL_RETURN_IF_ERROR(CheckAddress(request.address()));
  if (!id.transport_public_key().empty()) {
    ABSL_RETURN_IF_ERROR(CheckTransportKey(id.transport_public_key()));
  }
  if (!id.tls_certificate().empty()) {
    ABSL_RETURN_IF_ERROR(
        CheckTlsCertificate(id.tls_certificate(), id.agent_id()));
  }
  if (id.simulated() && !accept_simulated) {
    return absl::PermissionDeniedError(absl::StrCat(
        "agent ", id.agent_id(),
        " is a simulated agent and this registrar "
        "does not accept simulated agents (start it with --accept_simulated)"));
  }
  ABSL_ASSIGN_OR_RETURN(
      EkTrust::Verdict verdict,
      trust.Check(out.ek, id.ek_public(), id.ek_certificate()),
      _ << "agent " << id.agent_id());
  out.binding.identity = id;
  out.binding.identity.set_ak_name(*ak_name);
  out.binding.address = request.address();
  out.binding.ek_trust = std::move(verdict.ek_trust);
  out.note = std::move(verdict.note);
  return out;
}

}  // namespace candor::registrar
