// File: services/verifier/attestor/attestor_internal.h
//
// Private types of Attestor shared by attestor.cc and cycle.cc. Not an API.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_ATTESTOR_INTERNAL_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_ATTESTOR_INTERNAL_H_

#include <memory>
#include <string>
#include <vector>

#include "lib/attest/attest_state.h"
#include "services/verifier/attestor/attestor.h"

namespace candor::verifier {

// An agent this replica holds.
struct Attestor::Slot {
  AgentRecord record;
  std::shared_ptr<const AgentPlan> plan;  // for record.generation
  int64_t plan_generation = -1;
  std::shared_ptr<AgentConnection> conn;
  std::string conn_address;
  int misses = 0;  // consecutive agent.unreachable
  bool in_flight = false;
  uint64_t epoch = 0;  // bumped at each (re)schedule; stale Due entries skip
  // Warnings of a cycle that ended in an IMA restart (e.g. agent.rebooted),
  // reported with the next cycle's verdict.
  std::vector<v1::Failure> carried;
  // An admin changed the row: the next cycle looks its policies up afresh
  // (not through the resolver's TTL cache).
  bool refresh_policies = false;
};

// One running cycle: a snapshot of the slot plus what the cycle gathered.
struct Attestor::Job {
  AgentRecord record;
  std::shared_ptr<const AgentPlan> plan;
  std::shared_ptr<AgentConnection> conn;
  int misses = 0;
  absl::Time start;
  absl::Time rpc_start;
  absl::Time end = absl::InfinitePast();  // when the verdict was reached
  attest::AgentAttestationState state;
  Resolved<policy::RuntimePolicy> runtime;
  Resolved<policy::BootPolicy> boot;
  std::string nonce;
  v1::Evidence evidence;
  std::vector<v1::ImaEntries> more_pages;
  // What Submit handed to the CommitQueue (for the slot once applied).
  v1::Agent committed_status;
  std::string committed_state;
  bool restart_now = false;  // ima_restart_needed: run again at once
  bool refresh_policies = false;
  // Warnings carried in from (restart) or out to (restart_now) the slot.
  std::vector<v1::Failure> carried;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_ATTESTOR_INTERNAL_H_
