#include "services/registrar/registration.h"

#include "google/protobuf/timestamp.pb.h"

namespace candor::registrar {
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

v1::RegisteredAgent ToProto(const Registration& r) {
  v1::RegisteredAgent out;
  const Binding* b = r.active.has_value()    ? &*r.active
                     : r.pending.has_value() ? &r.pending->binding
                                             : nullptr;
  if (b != nullptr) {
    *out.mutable_identity() = b->identity;
    out.set_address(b->address);
    out.set_ek_trust(b->ek_trust);
  }
  out.mutable_identity()->set_agent_id(r.agent_id);
  out.set_state(r.state());
  SetTimestamp(r.registered_at, out.mutable_registered_at());
  if (r.activated_at.has_value()) {
    SetTimestamp(*r.activated_at, out.mutable_activated_at());
  }
  out.set_registration_count(r.registration_count);
  if (r.pending.has_value()) {
    SetTimestamp(r.pending->expires_at, out.mutable_challenge_expires_at());
  }
  return out;
}

}  // namespace candor::registrar
