// File: services/registrar/store/in_memory_store.h
//
// RegistrarStore in a std::map under one mutex: for unit tests and for a
// registrar started without --database (local debugging; everything is lost
// at exit). Same contract as the PostgreSQL store. Thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_STORE_IN_MEMORY_STORE_H_
#define CANDOR_SERVICES_REGISTRAR_STORE_IN_MEMORY_STORE_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/registrar/store/registrar_store.h"

namespace candor::registrar {

class InMemoryRegistrarStore final : public RegistrarStore {
 public:
  absl::Status Update(absl::string_view agent_id,
                      const Mutation& mutation) override;
  absl::StatusOr<std::optional<Registration>> Get(
      absl::string_view agent_id) override;
  absl::StatusOr<std::vector<Registration>> List(
      absl::string_view after, size_t limit,
      v1::RegistrationState state) override;
  absl::StatusOr<bool> Delete(absl::string_view agent_id) override;
  absl::StatusOr<size_t> PurgeExpired(absl::Time cutoff) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, Registration, std::less<>> rows_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_STORE_IN_MEMORY_STORE_H_
