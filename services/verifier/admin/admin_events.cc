#include "services/verifier/admin/admin_events.h"

#include <string>

namespace candor::verifier {

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

NewEvent MakeAdminEvent(const v1::Agent& agent, v1::EventKind kind,
                        v1::OperationalState state,
                        v1::OperationalState previous_state, absl::Time time,
                        absl::string_view replica_id) {
  NewEvent out;
  v1::AttestationEvent& e = out.event;
  e.set_agent_id(agent.agent_id());
  *e.mutable_time() = ToTimestamp(time);
  e.set_kind(kind);
  e.set_state(state);
  e.set_previous_state(previous_state);
  e.set_attestation_count(agent.attestation_count());
  e.set_replica_id(std::string(replica_id));
  return out;
}

}  // namespace candor::verifier
