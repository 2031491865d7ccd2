// File: lib/metrics/component_metrics.h
//
// Typed metrics for each Candor daemon, built on a prometheus::Registry from
// the table in metrics_catalogue.h (every family of the component is created
// from its MetricDef, so names, help and labels cannot drift from the
// README). Construction registers the component's families and creates every
// known label value's series at zero, so a scrape shows all documented
// series before the first event.
//
// Label values must be the constants of metrics_catalogue.h (failure ids:
// lib/failure/catalogue.h); another value makes a new series, so never pass
// an agent id or other unbounded text.
//
// Ownership: each object shares ownership of the registry. Building two
// objects of one component on one registry is allowed (the families merge,
// with Registry::InsertBehavior::Merge, the default). All methods are
// thread-safe (prometheus-cpp metrics are; the lookup tables are immutable
// after construction).
#ifndef CANDOR_LIB_METRICS_COMPONENT_METRICS_H_
#define CANDOR_LIB_METRICS_COMPONENT_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/metrics/metrics_catalogue.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace candor::metrics {

// The RPC result label for a call that ended with `status`: ok; invalid
// (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS,
// OUT_OF_RANGE); denied (PERMISSION_DENIED, UNAUTHENTICATED); rate_limited
// (RESOURCE_EXHAUSTED); error (anything else).
absl::string_view ResultOf(const absl::Status& status);

namespace internal {

// The families of one component, by metric name.
class FamilySet {
 public:
  // `extra_values` adds known label values per metric name (failure ids).
  FamilySet(std::shared_ptr<prometheus::Registry> registry, Component component,
            const absl::flat_hash_map<absl::string_view,
                                      std::vector<absl::string_view>>&
                extra_values = {});

  // The series of metric `name` with label value `value` ("" when the
  // metric has no label). Aborts if `name` is not a metric of this
  // component with the matching type (a programming error).
  prometheus::Counter& Counter(absl::string_view name,
                               absl::string_view value = "");
  prometheus::Gauge& Gauge(absl::string_view name,
                           absl::string_view value = "");
  prometheus::Histogram& Histogram(absl::string_view name,
                                   absl::string_view value = "");

 private:
  struct Entry {
    const MetricDef* def = nullptr;
    prometheus::Family<prometheus::Counter>* counters = nullptr;
    prometheus::Family<prometheus::Gauge>* gauges = nullptr;
    prometheus::Family<prometheus::Histogram>* histograms = nullptr;
    // Series created at construction, by label value (one map is used,
    // matching the type).
    absl::flat_hash_map<std::string, prometheus::Counter*> known_counters;
    absl::flat_hash_map<std::string, prometheus::Gauge*> known_gauges;
    absl::flat_hash_map<std::string, prometheus::Histogram*> known_histograms;
  };
  const Entry& Get(absl::string_view name, MetricType type) const;

  std::shared_ptr<prometheus::Registry> registry_;
  absl::flat_hash_map<std::string, Entry> entries_;
};

}  // namespace internal

class VerifierMetrics {
 public:
  explicit VerifierMetrics(std::shared_ptr<prometheus::Registry> registry);

  // kAttestationPass, kAttestationFail or kAttestationIncomplete.
  void AttestationResult(absl::string_view result);
  // kStageRpc ... kStageDb.
  void ObserveStage(absl::string_view stage, double seconds);
  // kStatePending ... kStateStopped.
  void SetAgentsInState(absl::string_view state, double count);
  void SetOwnedAgents(double count);
  void ImaEntriesProcessed(uint64_t count);
  // An id of lib/failure/catalogue.h.
  void Failure(absl::string_view failure_id);
  void LeaseGained();
  void LeaseLost();
  void WatchSubscriberOpened();
  void WatchSubscriberClosed();
  void ObserveDbLatency(double seconds);

 private:
  internal::FamilySet families_;
};

class RegistrarMetrics {
 public:
  explicit RegistrarMetrics(std::shared_ptr<prometheus::Registry> registry);

  // kResultOk ... kResultError (see ResultOf()).
  void RegistrationResult(absl::string_view result);
  void ActivationResult(absl::string_view result);

 private:
  internal::FamilySet families_;
};

class AgentMetrics {
 public:
  explicit AgentMetrics(std::shared_ptr<prometheus::Registry> registry);

  // kResultOk ... kResultError (see ResultOf()).
  void QuoteResult(absl::string_view result);
  // kTpmQuote ... kTpmStartAuthSession.
  void ObserveTpmCommand(absl::string_view command, double seconds);

 private:
  internal::FamilySet families_;
};

}  // namespace candor::metrics

#endif  // CANDOR_LIB_METRICS_COMPONENT_METRICS_H_
