// File: tools/agent_sim/enroller.h
//
// Enrolls every virtual agent at the registrar exactly as the real agent
// does (services/agent/enrollment.cc, registrar.proto): Register(identity,
// address) -> the MakeCredential challenge -> software ActivateCredential
// with the agent's EK (software_credential.h) -> Activate(proof =
// HMAC-SHA384(credential, agent id)). At most `concurrency` agents enroll at
// once over one channel. Retryable answers (UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED: the registrar's per-address rate limit) are retried
// with exponential backoff (100 ms doubling to 5 s) until `deadline`; any
// other refusal fails the whole enrollment at once, naming the agent and
// the registrar's message. `progress(done, total)` is called after each
// agent (from worker threads, serialized).
#ifndef CANDOR_TOOLS_AGENT_SIM_ENROLLER_H_
#define CANDOR_TOOLS_AGENT_SIM_ENROLLER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "tools/agent_sim/fleet.h"

namespace candor::agent_sim {

struct EnrollOptions {
  std::string advertise;  // "host:port" registered for every agent
  std::string registrar;  // for messages
  int concurrency = 8;
  absl::Duration rpc_timeout = absl::Seconds(30);
  absl::Time deadline = absl::InfiniteFuture();
};

struct EnrollStats {
  uint64_t enrolled = 0;
  uint64_t retries = 0;
};

absl::StatusOr<EnrollStats> EnrollAll(
    const Fleet& fleet, v1::RegistrarService::StubInterface& registrar,
    const EnrollOptions& options,
    const std::function<void(uint64_t done, uint64_t total)>& progress);

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_ENROLLER_H_
