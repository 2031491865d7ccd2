// File: services/registrar/clock.h
//
// The registrar's source of time, injectable so that tests can expire
// challenges and refill rate-limit buckets without sleeping
// (testing/fake_clock.h). Implementations are thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_CLOCK_H_
#define CANDOR_SERVICES_REGISTRAR_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace candor::registrar {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The wall clock (absl::Now()); a process-wide instance, never destroyed.
  static const Clock* Real();

 private:
  class RealClock;
};

class Clock::RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

inline const Clock* Clock::Real() {
  static const Clock* const real = new RealClock();
  return real;
}

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_CLOCK_H_
