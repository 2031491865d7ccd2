// File: services/registrar/store/registrar_store.h
//
// Where registrations live (registration.h). Every method is atomic: a
// failed call changes nothing. Implementations: PgRegistrarStore (PostgreSQL,
// production; registrars share it, so they scale out) and
// InMemoryRegistrarStore (unit tests, --database unset). Both are
// thread-safe; store_conformance (testonly) holds them to the same contract.
//
// Errors: UNAVAILABLE when the database cannot be reached (retry), INTERNAL
// for anything else the store itself hits; a mutation's own error is
// returned unchanged.
#ifndef CANDOR_SERVICES_REGISTRAR_STORE_REGISTRAR_STORE_H_
#define CANDOR_SERVICES_REGISTRAR_STORE_REGISTRAR_STORE_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/registrar/registration.h"

namespace candor::registrar {

class RegistrarStore {
 public:
  // Given the current registration (nullopt: none), returns what to store
  // instead (nullopt: delete it), or an error (nothing is written). Runs while
  // the agent id is locked against concurrent mutations; may be called more
  // than once if the store retries, so it must not have other side effects
  // than what it captures by reference and overwrites on each call.
  using Mutation = std::function<absl::StatusOr<std::optional<Registration>>(
      std::optional<Registration> current)>;

  virtual ~RegistrarStore() = default;

  // Read-modify-write of one agent id. The returned registration's agent_id
  // must equal `agent_id` (INTERNAL otherwise).
  virtual absl::Status Update(absl::string_view agent_id,
                              const Mutation& mutation) = 0;

  // The registration, or nullopt.
  virtual absl::StatusOr<std::optional<Registration>> Get(
      absl::string_view agent_id) = 0;

  // At most `limit` registrations with agent_id > `after` (bytewise), in
  // ascending agent_id order; only those in `state` unless it is
  // REGISTRATION_STATE_UNSPECIFIED.
  virtual absl::StatusOr<std::vector<Registration>> List(
      absl::string_view after, size_t limit, v1::RegistrationState state) = 0;

  // Deletes the registration; false if there was none.
  virtual absl::StatusOr<bool> Delete(absl::string_view agent_id) = 0;

  // Housekeeping: deletes never-activated registrations whose challenge
  // expired before `cutoff`, and drops expired pending challenges of active
  // ones. Returns how many rows changed.
  virtual absl::StatusOr<size_t> PurgeExpired(absl::Time cutoff) = 0;
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_STORE_REGISTRAR_STORE_H_
