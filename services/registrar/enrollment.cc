#include "services/registrar/enrollment.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/crypto/secret.h"
#include "lib/log/log.h"
#include "lib/status/status_macros.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/make_credential.h"
#include "services/registrar/page_token.h"
#include "services/registrar/proof.h"
#include "services/registrar/register_validation.h"

namespace candor::registrar {
namespace {

using MaybeRegistration = std::optional<Registration>;

std::string TimeString(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

// The clock at microsecond precision: what PostgreSQL keeps, so both stores
// return the times they were given.
absl::Time Now(const Clock& clock) {
  return absl::FromUnixMicros(absl::ToUnixMicros(clock.Now()));
}

bool SameKeys(const Binding& a, const Binding& b) {
  return a.identity.ek_public() == b.identity.ek_public() &&
         a.identity.ak_public() == b.identity.ak_public();
}

absl::Status ImmutableError(const Registration& cur, const Binding& next) {
  const bool ek_differs =
      cur.active->identity.ek_public() != next.identity.ek_public();
  return absl::AlreadyExistsError(absl::StrCat(
      "agent ", cur.agent_id, " is active with another ",
      ek_differs ? "EK" : "AK", " (activated ",
      TimeString(cur.activated_at.value_or(cur.registered_at)),
      "): an active identity is immutable; delete the registration first "
      "(DeleteRegisteredAgent) to bind the id to another TPM or AK"));
}

}  // namespace

absl::StatusOr<v1::RegisterResponse> Enrollment::Register(
    const v1::RegisterRequest& request) {
  ABSL_ASSIGN_OR_RETURN(
      ValidatedRegistration valid,
      ValidateRegistration(request, *trust_, options_.accept_simulated));
  const std::string& id = request.identity().agent_id();

  crypto::SecretBytes credential(kCredentialBytes);
  if (RAND_bytes(credential.u8data(), static_cast<int>(credential.size())) !=
      1) {
    return absl::InternalError("RAND_bytes failed drawing the credential");
  }
  ABSL_ASSIGN_OR_RETURN(
      MakeCredentialResult challenge,
      MakeCredential(valid.ek, valid.binding.identity.ak_name(),
                     credential.view()),
      _ << "agent " << id);
  ABSL_ASSIGN_OR_RETURN(std::string proof, ComputeProof(credential.view(), id));
  const absl::Time now = Now(*clock_);
  PendingChallenge pending{std::move(valid.binding), ProofDigest(proof),
                           now + options_.challenge_ttl, 0};
  OPENSSL_cleanse(proof.data(), proof.size());

  uint32_t count = 0;
  ABSL_RETURN_IF_ERROR(store_->Update(
      id, [&](MaybeRegistration cur) -> absl::StatusOr<MaybeRegistration> {
        Registration next;
        if (!cur.has_value()) {
          next.agent_id = id;
          next.registered_at = now;
          next.registration_count = 1;
        } else if (cur->active.has_value()) {
          if (!SameKeys(*cur->active, pending.binding)) {
            return ImmutableError(*cur, pending.binding);
          }
          next = std::move(*cur);
          ++next.registration_count;
        } else {
          next = std::move(*cur);
          if (next.pending.has_value() &&
              SameKeys(next.pending->binding, pending.binding)) {
            ++next.registration_count;
          } else {
            next.registered_at = now;
            next.registration_count = 1;
          }
        }
        next.pending = pending;
        count = next.registration_count;
        return MaybeRegistration(std::move(next));
      }));

  spdlog::info(
      "registrar: agent {} registered (count {}, EK trust \"{}\"); challenge "
      "expires {}",
      id, count, pending.binding.ek_trust, TimeString(pending.expires_at));
  if (!valid.note.empty()) {
    spdlog::warn("registrar: agent {}: EK certificate accepted leniently: {}",
                 id, valid.note);
  }
  v1::RegisterResponse out;
  out.set_credential_blob(std::move(challenge.credential_blob));
  out.set_encrypted_secret(std::move(challenge.encrypted_secret));
  SetTimestamp(pending.expires_at, out.mutable_expires_at());
  return out;
}

absl::StatusOr<v1::RegisteredAgent> Enrollment::Activate(
    const v1::ActivateRequest& request) {
  const std::string& id = request.agent_id();
  ABSL_RETURN_IF_ERROR(CheckAgentIdSyntax(id));
  if (request.proof().size() != kProofBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("proof must be ", kProofBytes,
                     " bytes (HMAC-SHA384), got ", request.proof().size()));
  }
  const std::string digest = ProofDigest(request.proof());
  const absl::Time now = Now(*clock_);
  const int max_failed = options_.max_failed_proofs;

  absl::Status outcome;
  Registration result;
  ABSL_RETURN_IF_ERROR(store_->Update(
      id, [&](MaybeRegistration cur) -> absl::StatusOr<MaybeRegistration> {
        outcome = absl::OkStatus();
        if (!cur.has_value()) {
          return absl::NotFoundError(absl::StrCat("no registration for agent ",
                                                  id, ": call Register first"));
        }
        if (!cur->pending.has_value()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "agent ", id,
              " has no pending challenge (it is already active "
              "and has not registered again): call Register for a new one"));
        }
        if (now >= cur->pending->expires_at) {
          return absl::FailedPreconditionError(absl::StrCat(
              "the challenge for agent ", id, " expired at ",
              TimeString(cur->pending->expires_at), ": register again"));
        }
        if (!crypto::ConstantTimeEquals(digest, cur->pending->proof_digest)) {
          const int failed = ++cur->pending->failed_proofs;
          if (max_failed > 0 && failed >= max_failed) {
            outcome = absl::PermissionDeniedError(absl::StrCat(
                "wrong proof for agent ", id, "; after ", failed,
                " wrong proofs its pending challenge was discarded: "
                "register again"));
            if (!cur->active.has_value()) return MaybeRegistration();
            cur->pending.reset();
            return cur;
          }
          outcome = absl::PermissionDeniedError(absl::StrCat(
              "wrong proof for agent ", id, " (wrong proof ", failed,
              max_failed > 0 ? absl::StrCat(" of at most ", max_failed) : "",
              "): the proof is HMAC-SHA384(credential from "
              "TPM2_ActivateCredential, agent id)"));
          return cur;
        }
        cur->active = std::move(cur->pending->binding);
        cur->pending.reset();
        cur->activated_at = now;
        result = *cur;
        return cur;
      }));
  if (!outcome.ok()) return outcome;
  spdlog::info("registrar: agent {} activated (EK trust \"{}\")", id,
               result.active->ek_trust);
  return ToProto(result);
}

absl::StatusOr<v1::RegisteredAgent> Enrollment::Get(
    absl::string_view agent_id) {
  ABSL_RETURN_IF_ERROR(CheckAgentIdSyntax(agent_id));
  ABSL_ASSIGN_OR_RETURN(MaybeRegistration r, store_->Get(agent_id));
  if (!r.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("agent ", agent_id, " is not registered"));
  }
  return ToProto(*r);
}

absl::StatusOr<v1::ListRegisteredAgentsResponse> Enrollment::List(
    const v1::ListRegisteredAgentsRequest& request) {
  const v1::RegistrationState filter = request.state();
  if (filter != v1::REGISTRATION_STATE_UNSPECIFIED &&
      filter != v1::REGISTRATION_STATE_PENDING_ACTIVATION &&
      filter != v1::REGISTRATION_STATE_ACTIVE) {
    return absl::InvalidArgumentError(absl::StrCat(
        "state ", static_cast<int>(filter), " is not a RegistrationState"));
  }
  size_t size =
      request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  if (size > kMaxPageSize) size = kMaxPageSize;
  std::string after;
  if (!request.page_token().empty()) {
    ABSL_ASSIGN_OR_RETURN(after, DecodePageToken(request.page_token(), filter));
  }
  ABSL_ASSIGN_OR_RETURN(std::vector<Registration> rows,
                        store_->List(after, size + 1, filter));
  v1::ListRegisteredAgentsResponse out;
  for (size_t i = 0; i < rows.size() && i < size; ++i) {
    *out.add_agents() = ToProto(rows[i]);
  }
  if (rows.size() > size) {
    out.set_next_page_token(EncodePageToken(filter, rows[size - 1].agent_id));
  }
  return out;
}

absl::Status Enrollment::Delete(absl::string_view agent_id) {
  ABSL_RETURN_IF_ERROR(CheckAgentIdSyntax(agent_id));
  ABSL_ASSIGN_OR_RETURN(bool deleted, store_->Delete(agent_id));
  if (!deleted) {
    return absl::NotFoundError(
        absl::StrCat("agent ", agent_id, " is not registered"));
  }
  spdlog::info("registrar: agent {} deleted", agent_id);
  return absl::OkStatus();
}

absl::StatusOr<size_t> Enrollment::PurgeExpired() {
  return store_->PurgeExpired(clock_->Now() - options_.expired_retention);
}

}  // namespace candor::registrar
