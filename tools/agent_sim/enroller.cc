#include "tools/agent_sim/enroller.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"

namespace candor::agent_sim {
namespace {

bool Retryable(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded ||
         s.code() == absl::StatusCode::kResourceExhausted;
}

absl::StatusOr<std::string> Proof(const crypto::SecretBytes& credential,
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

void SetDeadline(grpc::ClientContext& ctx, absl::Duration timeout) {
  ctx.set_deadline(std::chrono::system_clock::now() +
                   absl::ToChronoMilliseconds(timeout));
}

// One Register + Activate exchange.
absl::Status EnrollOnce(VirtualAgent& agent,
                        v1::RegistrarService::StubInterface& registrar,
                        const EnrollOptions& o) {
  v1::RegisterRequest reg;
  *reg.mutable_identity() = agent.identity();
  reg.set_address(o.advertise);
  v1::RegisterResponse challenge;
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx, o.rpc_timeout);
    ABSL_RETURN_IF_ERROR(FromGrpcStatus(
        registrar.Register(&ctx, reg, &challenge),
        absl::StrCat("RegistrarService.Register at ", o.registrar)));
  }
  ABSL_ASSIGN_OR_RETURN(crypto::SecretBytes credential,
                        agent.ActivateCredential(challenge.credential_blob(),
                                                 challenge.encrypted_secret()),
                        _ << "opening the registrar's challenge");
  v1::ActivateRequest act;
  act.set_agent_id(agent.id());
  ABSL_ASSIGN_OR_RETURN(*act.mutable_proof(), Proof(credential, agent.id()));
  v1::RegisteredAgent done;
  grpc::ClientContext ctx;
  SetDeadline(ctx, o.rpc_timeout);
  ABSL_RETURN_IF_ERROR(FromGrpcStatus(
      registrar.Activate(&ctx, act, &done),
      absl::StrCat("RegistrarService.Activate at ", o.registrar)));
  if (done.state() != v1::REGISTRATION_STATE_ACTIVE) {
    return absl::InternalError(
        absl::StrCat("the registrar answered Activate with state ",
                     v1::RegistrationState_Name(done.state())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EnrollStats> EnrollAll(
    const Fleet& fleet, v1::RegistrarService::StubInterface& registrar,
    const EnrollOptions& options,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  const auto& agents = fleet.agents();
  std::atomic<uint64_t> done{0}, retries{0};
  absl::Mutex progress_mu;
  absl::Status s = ParallelFor(
      agents.size(), std::max(1, options.concurrency),
      [&](uint64_t i) -> absl::Status {
        VirtualAgent& agent = *agents[i];
        absl::Duration wait = absl::Milliseconds(100);
        while (true) {
          absl::Status r = EnrollOnce(agent, registrar, options);
          if (r.ok()) break;
          if (!Retryable(r)) {
            return absl::Status(r.code(), absl::StrCat("enrolling ", agent.id(),
                                                       ": ", r.message()));
          }
          if (absl::Now() + wait > options.deadline) {
            return absl::DeadlineExceededError(
                absl::StrCat("enrolling ", agent.id(),
                             ": gave up at the deadline; last "
                             "answer: ",
                             r.message()));
          }
          ++retries;
          absl::SleepFor(wait);  // backoff before retrying the registrar
          wait = std::min(absl::Seconds(5), wait * 2);
        }
        agent.ForgetEk();
        const uint64_t n = ++done;
        if (progress) {
          absl::MutexLock lock(&progress_mu);
          progress(n, agents.size());
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return EnrollStats{done.load(), retries.load()};
}

}  // namespace candor::agent_sim
