// File: services/verifier/admin/admin_events.h
//
// The events VerifierService's admin RPCs write (protos/candor/v1/README.md
// "Events and cursors"): AGENT_ADDED, AGENT_UPDATED, AGENT_DELETED and
// STATE_CHANGED for StopAgent / ReactivateAgent. Each carries agent_id,
// time (the verifier clock), kind, state, previous_state, replica_id and
// attestation_count; no failures, no severity, never the V share. Pure
// functions; thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_ADMIN_EVENTS_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_ADMIN_EVENTS_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/common.pb.h"
#include "candor/v1/verifier.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier {

google::protobuf::Timestamp ToTimestamp(absl::Time t);

// An event about `agent` (its id and attestation_count) with `state` after
// and `previous_state` before it.
NewEvent MakeAdminEvent(const v1::Agent& agent, v1::EventKind kind,
                        v1::OperationalState state,
                        v1::OperationalState previous_state, absl::Time time,
                        absl::string_view replica_id);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_ADMIN_EVENTS_H_
