// File: cli/tenant/commands/watch/watch_format.h
//
// How `tenant watch` prints one stream message.
//   EventLine: one human line, fields separated by two spaces:
//     TIME  AGENT  KIND  TRANSITION  SEVERITY  DETAILS
//     2026-11-25T13:20:01Z  node-3  ATTESTATION_FAILED  ATTESTING->FAILED
//       critical  ima.not_in_policy path=/usr/bin/evil
//   TRANSITION is PREVIOUS->STATE when they differ, else STATE
//   (PREVIOUS->DELETED for AGENT_DELETED); SEVERITY "-" when none; DETAILS
//   what happened for REVOCATION_SENT and KEY_SHARE_DELIVERED, then each
//   failure as "id key=value ..." (keys sorted), joined by "; ".
//   HeartbeatLine: "TIME  (heartbeat)  cursor=C".
//   EventJsonLine / HeartbeatJsonLine: one line of JSON, the proto3 JSON of
//   the AttestationEvent (cursor included), or {"heartbeat": {...}}.
// Thread-safe (no state).
#ifndef CANDOR_CLI_TENANT_COMMANDS_WATCH_WATCH_FORMAT_H_
#define CANDOR_CLI_TENANT_COMMANDS_WATCH_WATCH_FORMAT_H_

#include <string>

#include "candor/v1/common.pb.h"
#include "candor/v1/verifier.pb.h"

namespace candor::tenant {

std::string EventLine(const v1::AttestationEvent& event);
std::string HeartbeatLine(const v1::Heartbeat& heartbeat);
std::string EventJsonLine(const v1::AttestationEvent& event);
std::string HeartbeatJsonLine(const v1::Heartbeat& heartbeat);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_WATCH_WATCH_FORMAT_H_
