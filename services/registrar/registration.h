// File: services/registrar/registration.h
//
// What the registrar keeps per agent id (one row of `registrations`):
//   - `active`: the binding in force (set by Activate), if any. Immutable in
//     its EK and AK until the registration is deleted;
//   - `pending`: a binding waiting for its activation proof, with the proof's
//     digest (proof.h), the challenge's expiry and the wrong proofs so far.
//     A first registration has only `pending`; a re-registration of an active
//     id with the same EK and AK (agent restart) has both, and `active` stays
//     in force until `pending` is activated.
// A binding is an AgentIdentity (ak_name always filled in) plus the address
// and how the EK was trusted. Plain values; no invariants are enforced here
// (enrollment.h does that).
#ifndef CANDOR_SERVICES_REGISTRAR_REGISTRATION_H_
#define CANDOR_SERVICES_REGISTRAR_REGISTRATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "candor/v1/registrar.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace candor::registrar {

struct Binding {
  v1::AgentIdentity identity;
  std::string address;
  std::string ek_trust;
};

struct PendingChallenge {
  Binding binding;
  std::string proof_digest;  // SHA-256 of the expected 48-byte proof
  absl::Time expires_at;
  int failed_proofs = 0;
};

struct Registration {
  std::string agent_id;
  std::optional<Binding> active;
  std::optional<PendingChallenge> pending;
  absl::Time registered_at;  // first Register of the current identity
  std::optional<absl::Time> activated_at;
  uint32_t registration_count = 0;

  v1::RegistrationState state() const {
    return active.has_value() ? v1::REGISTRATION_STATE_ACTIVE
                              : v1::REGISTRATION_STATE_PENDING_ACTIVATION;
  }
};

// t as a protobuf Timestamp (microsecond precision, like the store).
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out);

// The RegisteredAgent view: the active binding if there is one, else the
// pending one; challenge_expires_at while a challenge is pending.
v1::RegisteredAgent ToProto(const Registration& r);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_REGISTRATION_H_
