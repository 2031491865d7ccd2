// File: services/registrar/enrollment.h
//
// The registrar's domain logic (protos/candor/v1/registrar.proto; Keylime
// reference §2.1): binding an agent id to a TPM's EK and AK by
// TPM2_MakeCredential / TPM2_ActivateCredential.
//
// Register: validates the request (register_validation.h), draws a 32-byte
//   credential, runs MakeCredential for the AK's Name under the EK, and
//   stores a pending challenge (the SHA-256 of the expected proof, never the
//   credential) expiring after `challenge_ttl`. Then, under the store's
//   per-id lock:
//   - no registration: a new pending one (registration_count 1);
//   - pending, never activated: replaced (count + 1 if the EK and AK are the
//     same, else a fresh registration with count 1);
//   - active with the same EK and AK (an agent restart): count + 1 and a new
//     pending challenge; the active binding stays in force, and its address,
//     TLS certificate, transport key and EK certificate change only when the
//     new challenge is activated. A re-registration therefore can neither
//     take over nor deactivate an identity: the EK and AK publics are not
//     secret, so anyone may send them, but only that TPM can activate;
//   - active with another EK or AK: ALREADY_EXISTS (immutable until deleted).
// Activate: NOT_FOUND without a registration; FAILED_PRECONDITION without a
//   pending challenge or after it expired ("register again"); the proof
//   (48 bytes, INVALID_ARGUMENT otherwise) must match in constant time, else
//   PERMISSION_DENIED and the wrong proof is counted: after
//   `max_failed_proofs` (default 5; 0 = unlimited) the pending challenge is
//   discarded (the whole registration if it was never active). On success
//   the pending binding becomes the active one (state ACTIVE) and the
//   challenge is consumed.
// Get / List / Delete: NOT_FOUND naming the id; List pages by agent_id
//   (page_token.h), page_size 0 = 100, at most 1000.
//
// Thread-safe: all state is in the store; store, trust and clock are not
// owned and must outlive this object.
#ifndef CANDOR_SERVICES_REGISTRAR_ENROLLMENT_H_
#define CANDOR_SERVICES_REGISTRAR_ENROLLMENT_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/registrar.pb.h"
#include "services/registrar/clock.h"
#include "services/registrar/ek_trust.h"
#include "services/registrar/store/registrar_store.h"

namespace candor::registrar {

struct EnrollmentOptions {
  absl::Duration challenge_ttl = absl::Minutes(10);
  int max_failed_proofs = 5;  // 0 = unlimited
  bool accept_simulated = false;
  // Never-activated registrations are purged this long after their
  // challenge expired (until then Activate says "expired").
  absl::Duration expired_retention = absl::Hours(24);
};

inline constexpr size_t kDefaultPageSize = 100;
inline constexpr size_t kMaxPageSize = 1000;

class Enrollment {
 public:
  Enrollment(RegistrarStore* store, const EkTrust* trust, const Clock* clock,
             EnrollmentOptions options)
      : store_(store), trust_(trust), clock_(clock), options_(options) {}

  absl::StatusOr<v1::RegisterResponse> Register(
      const v1::RegisterRequest& request);
  absl::StatusOr<v1::RegisteredAgent> Activate(
      const v1::ActivateRequest& request);
  absl::StatusOr<v1::RegisteredAgent> Get(absl::string_view agent_id);
  absl::StatusOr<v1::ListRegisteredAgentsResponse> List(
      const v1::ListRegisteredAgentsRequest& request);
  absl::Status Delete(absl::string_view agent_id);

  // Store housekeeping (RegistrarStore::PurgeExpired with now -
  // expired_retention). Returns the rows changed.
  absl::StatusOr<size_t> PurgeExpired();

  const EnrollmentOptions& options() const { return options_; }

 private:
  RegistrarStore* const store_;
  const EkTrust* const trust_;
  const Clock* const clock_;
  const EnrollmentOptions options_;
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_ENROLLMENT_H_
