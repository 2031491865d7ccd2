// File: services/verifier/admin/fake_registrar_client.h
//
// RegistrarClient for tests: answers from a map of registrations set by the
// test; an unknown id answers FAILED_PRECONDITION as GrpcRegistrarClient
// maps NOT_FOUND, and SetError makes every call fail with a given status
// (e.g. UNAVAILABLE). Counts calls. Thread-safe (one mutex).
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_FAKE_REGISTRAR_CLIENT_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_FAKE_REGISTRAR_CLIENT_H_

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/verifier/admin/registrar_client.h"

namespace candor::verifier {

class FakeRegistrarClient final : public RegistrarClient {
 public:
  void Put(const v1::RegisteredAgent& agent) {
    absl::MutexLock lock(&mu_);
    agents_[agent.identity().agent_id()] = agent;
  }
  // OK = answer normally again.
  void SetError(absl::Status error) {
    absl::MutexLock lock(&mu_);
    error_ = std::move(error);
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  absl::StatusOr<v1::RegisteredAgent> GetRegisteredAgent(
      absl::string_view agent_id) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!error_.ok()) return error_;
    auto it = agents_.find(std::string(agent_id));
    if (it == agents_.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "agent ", agent_id, " is not registered at the registrar"));
    }
    return it->second;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, v1::RegisteredAgent> agents_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_FAKE_REGISTRAR_CLIENT_H_
