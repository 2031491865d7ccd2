// File: cli/tenant/commands/agent/agent_view.h
//
// How `tenant agent ...` prints a candor.v1.Agent: the JSON form is the
// proto3 JSON of the agent as the verifier returned it (proto field names,
// full enum names, e.g. "state": "OPERATIONAL_STATE_ATTESTING"); the table
// forms are for humans:
//   - AgentListTable: one row per agent (AGENT STATE SEVERITY LAST FAILURE
//     LAST ATTESTATION OWNER);
//   - AgentDetailTable: FIELD/VALUE rows with state, severity, last failure
//     (id, severity, message, context), counts, times, policies (configured
//     and in use), PCR selection, owner replica, metadata.
// Thread-safe (no state).
#ifndef CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_VIEW_H_
#define CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_VIEW_H_

#include <vector>

#include "candor/v1/verifier.pb.h"
#include "cli/tenant/output.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {

nlohmann::json AgentJson(const v1::Agent& agent);
Table AgentListTable(const std::vector<v1::Agent>& agents);
Table AgentDetailTable(const v1::Agent& agent);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_VIEW_H_
