#include "services/agent/enrollment.h"

#include <grpcpp/grpcpp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"

namespace candor::agent {
namespace {

class GrpcRegistrarClient final : public RegistrarClient {
 public:
  GrpcRegistrarClient(std::shared_ptr<grpc::Channel> channel,
                      std::string address, absl::Duration timeout)
      : stub_(v1::RegistrarService::NewStub(channel)),
        address_(std::move(address)),
        timeout_(timeout) {}

  absl::StatusOr<v1::RegisterResponse> Register(
      const v1::RegisterRequest& request) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(timeout_));
    v1::RegisterResponse resp;
    ABSL_RETURN_IF_ERROR(FromGrpcStatus(
        stub_->Register(&ctx, request, &resp),
        absl::StrCat("RegistrarService.Register at ", address_)));
    return resp;
  }

  absl::StatusOr<v1::RegisteredAgent> Activate(
      const v1::ActivateRequest& request) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(timeout_));
    v1::RegisteredAgent resp;
    ABSL_RETURN_IF_ERROR(FromGrpcStatus(
        stub_->Activate(&ctx, request, &resp),
        absl::StrCat("RegistrarService.Activate at ", address_)));
    return resp;
  }

 private:
  std::unique_ptr<v1::RegistrarService::Stub> stub_;
  const std::string address_;
  const absl::Duration timeout_;
};

bool Retryable(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded ||
         s.code() == absl::StatusCode::kResourceExhausted;
}

absl::StatusOr<v1::RegisteredAgent> EnrollOnce(const EnrollmentSubject& subject,
                                               RegistrarClient& registrar) {
  v1::RegisterRequest reg;
  *reg.mutable_identity() = subject.identity;
  reg.set_address(subject.address);
  ABSL_ASSIGN_OR_RETURN(v1::RegisterResponse challenge, registrar.Register(reg));
  ABSL_ASSIGN_OR_RETURN(
      crypto::SecretBytes credential,
      subject.activate_credential(challenge.credential_blob(),
                                  challenge.encrypted_secret()),
      _ << "opening the registrar's challenge with TPM2_ActivateCredential");
  ABSL_ASSIGN_OR_RETURN(std::string proof,
                        ActivationProof(credential, subject.identity.agent_id()));
  v1::ActivateRequest act;
  act.set_agent_id(subject.identity.agent_id());
  act.set_proof(proof);
  return registrar.Activate(act);
}

}  // namespace

std::unique_ptr<RegistrarClient> MakeGrpcRegistrarClient(
    std::shared_ptr<grpc::Channel> channel, std::string address,
    absl::Duration timeout) {
  return std::make_unique<GrpcRegistrarClient>(std::move(channel),
                                               std::move(address), timeout);
}

absl::StatusOr<std::string> ActivationProof(const crypto::SecretBytes& credential,
                                            absl::string_view agent_id) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha384(), credential.data(), static_cast<int>(credential.size()),
           reinterpret_cast<const unsigned char*>(agent_id.data()),
           agent_id.size(), out, &len) == nullptr) {
    return absl::InternalError("HMAC-SHA384 failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

absl::StatusOr<v1::RegisteredAgent> Enroll(
    const EnrollmentSubject& subject, RegistrarClient& registrar,
    const Backoff& backoff, absl::Notification& stop,
    const std::function<void(const absl::Status&, absl::Duration)>& on_retry) {
  absl::Duration wait = backoff.initial;
  while (true) {
    if (stop.HasBeenNotified()) {
      return absl::CancelledError("enrollment stopped");
    }
    absl::StatusOr<v1::RegisteredAgent> r = EnrollOnce(subject, registrar);
    if (r.ok() || !Retryable(r.status())) return r;
    if (on_retry) on_retry(r.status(), wait);
    if (stop.WaitForNotificationWithTimeout(wait)) {
      return absl::CancelledError("enrollment stopped");
    }
    wait = std::min(backoff.ceiling, wait * backoff.multiplier);
  }
}

}  // namespace candor::agent
