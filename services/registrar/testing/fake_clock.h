// File: services/registrar/testing/fake_clock.h  (testonly)
//
// A Clock that only moves when told to. Thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_TESTING_FAKE_CLOCK_H_
#define CANDOR_SERVICES_REGISTRAR_TESTING_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/registrar/clock.h"

namespace candor::registrar::testing {

class FakeClock final : public Clock {
 public:
  // Starts at a fixed, whole-second time (2026-01-01T00:00:00Z).
  FakeClock() : now_(absl::FromUnixSeconds(1767225600)) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_;
};

}  // namespace candor::registrar::testing

#endif  // CANDOR_SERVICES_REGISTRAR_TESTING_FAKE_CLOCK_H_
