// File: services/registrar/rate_limiter.h
//
// Per-source token buckets for the unauthenticated RPCs (Register, Activate):
// each source may make `rate_per_second` calls per second on average and
// `burst` at once; a call over the limit is refused (the service answers
// RESOURCE_EXHAUSTED). Sources are keyed by SourceKey(peer): the IPv4
// address, the /64 of an IPv6 address (one host usually owns a whole /64),
// or the peer string for other transports.
//
// Memory is bounded: at most `max_sources` buckets. When full, buckets that
// have refilled completely (idle sources) are dropped; if none has, all are
// dropped (the limiter fails open rather than refusing new sources, so a
// flood of addresses cannot lock everyone out).
//
// Thread-safe (one mutex; a call is a hash lookup).
#ifndef CANDOR_SERVICES_REGISTRAR_RATE_LIMITER_H_
#define CANDOR_SERVICES_REGISTRAR_RATE_LIMITER_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/registrar/clock.h"

namespace candor::registrar {

// The bucket key for a gRPC peer string ("ipv4:10.0.0.5:51234",
// "ipv6:[2001:db8::1]:51234", "ipv6:%5B::1%5D:5", "unix:/path").
std::string SourceKey(absl::string_view peer);

class RateLimiter {
 public:
  struct Options {
    double rate_per_second = 10;  // <= 0 disables the limiter
    double burst = 20;            // bucket size (at least 1)
    size_t max_sources = 100000;
  };
  // `clock` is not owned and must outlive the limiter.
  RateLimiter(const Options& options, const Clock* clock)
      : options_(options), clock_(clock) {}

  // Takes a token from `source`'s bucket; false when it is empty.
  bool Allow(absl::string_view source);

  bool enabled() const { return options_.rate_per_second > 0; }
  size_t tracked_sources() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  double Refilled(const Bucket& b, absl::Time now) const;
  void MakeRoom(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_RATE_LIMITER_H_
