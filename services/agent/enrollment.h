// File: services/agent/enrollment.h
//
// The agent's side of enrollment (registrar.proto): Register its identity,
// open the MakeCredential challenge with TPM2_ActivateCredential, and
// Activate with proof = HMAC-SHA384(credential, agent id). While the
// registrar cannot be reached (UNAVAILABLE, DEADLINE_EXCEEDED) or is rate
// limiting (RESOURCE_EXHAUSTED), the whole exchange is retried with
// exponential backoff up to a ceiling, until it succeeds or `stop` is
// notified. Any other refusal (a CA the registrar does not trust, an id
// bound to another TPM, …) is returned at once: retrying cannot fix it.
#ifndef CANDOR_SERVICES_AGENT_ENROLLMENT_H_
#define CANDOR_SERVICES_AGENT_ENROLLMENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "lib/crypto/secret.h"

namespace candor::agent {

// What enrollment needs from the registrar (a fake in unit tests).
class RegistrarClient {
 public:
  virtual ~RegistrarClient() = default;
  virtual absl::StatusOr<v1::RegisterResponse> Register(
      const v1::RegisterRequest& request) = 0;
  virtual absl::StatusOr<v1::RegisteredAgent> Activate(
      const v1::ActivateRequest& request) = 0;
};

// Over a gRPC channel, each call with `timeout`.
std::unique_ptr<RegistrarClient> MakeGrpcRegistrarClient(
    std::shared_ptr<grpc::Channel> channel, std::string address,
    absl::Duration timeout);

// What enrollment needs from the agent.
struct EnrollmentSubject {
  v1::AgentIdentity identity;
  std::string address;  // where verifiers reach the agent, "host:port"
  std::function<absl::StatusOr<crypto::SecretBytes>(absl::string_view blob,
                                                   absl::string_view secret)>
      activate_credential;
};

struct Backoff {
  absl::Duration initial = absl::Seconds(1);
  absl::Duration ceiling = absl::Seconds(60);
  double multiplier = 2.0;
};

// HMAC-SHA384(key = credential, message = agent id): the Activate proof.
absl::StatusOr<std::string> ActivationProof(const crypto::SecretBytes& credential,
                                            absl::string_view agent_id);

// Enrolls. `on_retry(status, wait)` is told about every retryable failure
// (for logging). CANCELLED when `stop` was notified first.
absl::StatusOr<v1::RegisteredAgent> Enroll(
    const EnrollmentSubject& subject, RegistrarClient& registrar,
    const Backoff& backoff, absl::Notification& stop,
    const std::function<void(const absl::Status&, absl::Duration)>& on_retry);

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_ENROLLMENT_H_
