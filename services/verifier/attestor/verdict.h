// File: services/verifier/attestor/verdict.h
//
// Turns the outcome of one attestation cycle into what the verifier writes:
// the agent's new status, its attestation state and the events
// (protos/candor/v1/README.md "Operational states", "Events and cursors").
// Pure: no I/O, no clock (times are given).
//
// Rules:
//  - Every finding (CycleResult failures and warnings) is re-ranked by the
//    severity policy; the event carries them all, in order, and the highest
//    severity. A finding at or above the fail severity fails the cycle:
//    ATTESTATION_FAILED, state FAILED. Otherwise a complete cycle is
//    ATTESTATION_PASSED: PENDING/UNREACHABLE/ATTESTING → ATTESTING.
//  - A miss (the agent did not answer, policy missing, internal error): an
//    ATTESTATION_INCOMPLETE event with the finding; after `unreachable_after`
//    consecutive agent.unreachable misses a PENDING or ATTESTING agent
//    becomes UNREACHABLE. A miss whose finding fails under the policy (e.g.
//    agent.invalid_response, severity error) is a failed cycle instead.
//  - Every state change adds a STATE_CHANGED event with the same failures.
//  - severity_level = the highest severity since add/reactivation;
//    last_failure = the most severe finding of this cycle, when it has one.
//  - attestation_count counts passing cycles.
// `urgent` is set when the commit must not wait for a batch (a failure or a
// state change).
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_VERDICT_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_VERDICT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "candor/v1/common.pb.h"
#include "lib/attest/cycle.h"
#include "lib/failure/severity_policy.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier {

struct VerdictContext {
  const AgentRecord* record = nullptr;  // the agent as the cycle started
  const failure::SeverityPolicy* severity = nullptr;
  std::string replica_id;
  absl::Time start;
  absl::Time end;
};

struct Verdict {
  CycleCommit commit;
  bool passed = false;
  bool failed = false;  // the agent is FAILED now (send revocation notices)
  bool urgent = false;
};

// A cycle that evaluated (lib/attest): `result` must be complete (not
// more_ima_pages_needed / ima_restart_needed). `runtime_version` and
// `boot_version` are the policy versions the cycle used (0: none).
// `evidence` (serialized CycleEvidence) is kept with a failing event.
Verdict FromCycle(const VerdictContext& ctx, const attest::CycleResult& result,
                  uint32_t runtime_version, uint32_t boot_version,
                  std::string evidence);

// A cycle without an evaluation: `finding` says why (agent.unreachable,
// agent.invalid_response, policy.not_found, policy.invalid,
// internal.error). `consecutive_misses` counts this one.
Verdict FromMiss(const VerdictContext& ctx, v1::Failure finding,
                 int consecutive_misses, int unreachable_after);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_VERDICT_H_
