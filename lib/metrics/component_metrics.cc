#include "lib/metrics/component_metrics.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "lib/failure/catalogue.h"

namespace candor::metrics {
namespace {

prometheus::Labels LabelsOf(const MetricDef& def, absl::string_view value) {
  if (def.label.empty()) return {};
  return {{std::string(def.label), std::string(value)}};
}

template <typename M>
prometheus::Family<M>& Register(prometheus::detail::Builder<M> builder,
                                const MetricDef& def,
                                prometheus::Registry& registry) {
  return builder.Name(std::string(def.name))
      .Help(std::string(def.help))
      .Register(registry);
}

[[noreturn]] void Die(absl::string_view name, absl::string_view why) {
  std::fprintf(stderr, "candor::metrics: metric %.*s %.*s\n",
               static_cast<int>(name.size()), name.data(),
               static_cast<int>(why.size()), why.data());
  std::abort();
}

}  // namespace

absl::string_view ResultOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kResultOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
      return kResultInvalid;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return kResultDenied;
    case absl::StatusCode::kResourceExhausted:
      return kResultRateLimited;
    default:
      return kResultError;
  }
}

namespace internal {

FamilySet::FamilySet(
    std::shared_ptr<prometheus::Registry> registry, Component component,
    const absl::flat_hash_map<absl::string_view,
                              std::vector<absl::string_view>>& extra_values)
    : registry_(std::move(registry)) {
  for (const MetricDef& def : Catalogue()) {
    if (def.component != component) continue;
    Entry& entry = entries_[def.name];
    entry.def = &def;
    std::vector<absl::string_view> values = def.values;
    auto extra = extra_values.find(def.name);
    if (extra != extra_values.end()) {
      values.insert(values.end(), extra->second.begin(), extra->second.end());
    }
    if (def.label.empty()) values = {""};
    switch (def.type) {
      case MetricType::kCounter:
        entry.counters = &Register(prometheus::BuildCounter(), def, *registry_);
        for (absl::string_view v : values) {
          entry.known_counters[v] = &entry.counters->Add(LabelsOf(def, v));
        }
        break;
      case MetricType::kGauge:
        entry.gauges = &Register(prometheus::BuildGauge(), def, *registry_);
        for (absl::string_view v : values) {
          entry.known_gauges[v] = &entry.gauges->Add(LabelsOf(def, v));
        }
        break;
      case MetricType::kHistogram:
        entry.histograms =
            &Register(prometheus::BuildHistogram(), def, *registry_);
        for (absl::string_view v : values) {
          entry.known_histograms[v] =
              &entry.histograms->Add(LabelsOf(def, v), def.buckets);
        }
        break;
    }
  }
}

const FamilySet::Entry& FamilySet::Get(absl::string_view name,
                                       MetricType type) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) Die(name, "is not in this component");
  if (it->second.def->type != type) Die(name, "has another type");
  return it->second;
}

prometheus::Counter& FamilySet::Counter(absl::string_view name,
                                        absl::string_view value) {
  const Entry& entry = Get(name, MetricType::kCounter);
  auto known = entry.known_counters.find(value);
  if (known != entry.known_counters.end()) return *known->second;
  return entry.counters->Add(LabelsOf(*entry.def, value));
}

prometheus::Gauge& FamilySet::Gauge(absl::string_view name,
                                    absl::string_view value) {
  const Entry& entry = Get(name, MetricType::kGauge);
  auto known = entry.known_gauges.find(value);
  if (known != entry.known_gauges.end()) return *known->second;
  return entry.gauges->Add(LabelsOf(*entry.def, value));
}

prometheus::Histogram& FamilySet::Histogram(absl::string_view name,
                                            absl::string_view value) {
  const Entry& entry = Get(name, MetricType::kHistogram);
  auto known = entry.known_histograms.find(value);
  if (known != entry.known_histograms.end()) return *known->second;
  return entry.histograms->Add(LabelsOf(*entry.def, value), entry.def->buckets);
}

}  // namespace internal

namespace {

absl::flat_hash_map<absl::string_view, std::vector<absl::string_view>>
FailureIds() {
  std::vector<absl::string_view> ids;
  for (const failure::FailureKind& kind : failure::Catalogue()) {
    ids.push_back(kind.id);
  }
  return {{kVerifierFailures, std::move(ids)}};
}

}  // namespace

VerifierMetrics::VerifierMetrics(std::shared_ptr<prometheus::Registry> registry)
    : families_(std::move(registry), Component::kVerifier, FailureIds()) {}

void VerifierMetrics::AttestationResult(absl::string_view result) {
  families_.Counter(kVerifierAttestations, result).Increment();
}
void VerifierMetrics::ObserveStage(absl::string_view stage, double seconds) {
  families_.Histogram(kVerifierAttestationDuration, stage).Observe(seconds);
}
void VerifierMetrics::SetAgentsInState(absl::string_view state, double count) {
  families_.Gauge(kVerifierAgents, state).Set(count);
}
void VerifierMetrics::SetOwnedAgents(double count) {
  families_.Gauge(kVerifierOwnedAgents).Set(count);
}
void VerifierMetrics::ImaEntriesProcessed(uint64_t count) {
  families_.Counter(kVerifierImaEntries).Increment(static_cast<double>(count));
}
void VerifierMetrics::Failure(absl::string_view failure_id) {
  families_.Counter(kVerifierFailures, failure_id).Increment();
}
void VerifierMetrics::LeaseGained() {
  families_.Counter(kVerifierLeasesGained).Increment();
}
void VerifierMetrics::LeaseLost() {
  families_.Counter(kVerifierLeasesLost).Increment();
}
void VerifierMetrics::WatchSubscriberOpened() {
  families_.Gauge(kVerifierWatchSubscribers).Increment();
}
void VerifierMetrics::WatchSubscriberClosed() {
  families_.Gauge(kVerifierWatchSubscribers).Decrement();
}
void VerifierMetrics::ObserveDbLatency(double seconds) {
  families_.Histogram(kVerifierDbLatency).Observe(seconds);
}

RegistrarMetrics::RegistrarMetrics(
    std::shared_ptr<prometheus::Registry> registry)
    : families_(std::move(registry), Component::kRegistrar) {}

void RegistrarMetrics::RegistrationResult(absl::string_view result) {
  families_.Counter(kRegistrarRegistrations, result).Increment();
}
void RegistrarMetrics::ActivationResult(absl::string_view result) {
  families_.Counter(kRegistrarActivations, result).Increment();
}

AgentMetrics::AgentMetrics(std::shared_ptr<prometheus::Registry> registry)
    : families_(std::move(registry), Component::kAgent) {}

void AgentMetrics::QuoteResult(absl::string_view result) {
  families_.Counter(kAgentQuotes, result).Increment();
}
void AgentMetrics::ObserveTpmCommand(absl::string_view command,
                                     double seconds) {
  families_.Histogram(kAgentTpmCommandDuration, command).Observe(seconds);
}

}  // namespace candor::metrics
