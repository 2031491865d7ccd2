#include "lib/metrics/metrics_catalogue.h"

#include <vector>

namespace candor::metrics {
namespace {

using C = Component;
using T = MetricType;

// Verifier stages and DB calls: 1 ms to 30 s.
const std::vector<double>& LatencyBuckets() {
  static const auto* buckets =
      new std::vector<double>{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                              0.25,  0.5,    1,     2.5,  5,     10,   30};
  return *buckets;
}

// TPM commands: a quote takes 50 ms to a few seconds on hardware TPMs.
const std::vector<double>& TpmBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *buckets;
}

const std::vector<MetricDef>& Table() {
  const std::vector<absl::string_view> results = {
      kResultOk, kResultInvalid, kResultDenied, kResultRateLimited,
      kResultError};
  static const auto* table = new std::vector<MetricDef>{
      // Verifier.
      {kVerifierAttestations,
       T::kCounter,
       C::kVerifier,
       kLabelResult,
       {kAttestationPass, kAttestationFail, kAttestationIncomplete},
       {},
       "Attestation cycles finished, by verdict (incomplete: no verdict, "
       "e.g. agent unreachable)."},
      {kVerifierAttestationDuration,
       T::kHistogram,
       C::kVerifier,
       kLabelStage,
       {kStageRpc, kStageQuote, kStageBoot, kStageIma, kStagePolicy, kStageDb},
       LatencyBuckets(),
       "Time spent in each stage of an attestation cycle, in seconds."},
      {kVerifierAgents,
       T::kGauge,
       C::kVerifier,
       kLabelState,
       {kStatePending, kStateAttesting, kStateUnreachable, kStateFailed,
        kStateStopped},
       {},
       "Agents owned by this replica, by operational state."},
      {kVerifierOwnedAgents,
       T::kGauge,
       C::kVerifier,
       "",
       {},
       {},
       "Agents whose lease this replica holds."},
      {kVerifierImaEntries,
       T::kCounter,
       C::kVerifier,
       "",
       {},
       {},
       "IMA log entries checked against runtime policies."},
      {kVerifierFailures,
       T::kCounter,
       C::kVerifier,
       kLabelFailureId,
       {},
       {},
       "Failures recorded by attestation cycles, by failure id (one series "
       "per id of lib/failure/catalogue.h)."},
      {kVerifierLeasesGained,
       T::kCounter,
       C::kVerifier,
       "",
       {},
       {},
       "Agent leases this replica acquired (took ownership)."},
      {kVerifierLeasesLost,
       T::kCounter,
       C::kVerifier,
       "",
       {},
       {},
       "Agent leases this replica lost or released (gave up ownership)."},
      {kVerifierWatchSubscribers,
       T::kGauge,
       C::kVerifier,
       "",
       {},
       {},
       "Open WatchAttestations streams on this replica."},
      {kVerifierDbLatency,
       T::kHistogram,
       C::kVerifier,
       "",
       {},
       LatencyBuckets(),
       "PostgreSQL round-trip time, in seconds."},
      // Registrar.
      {kRegistrarRegistrations,
       T::kCounter,
       C::kRegistrar,
       kLabelResult,
       results,
       {},
       "Register calls answered, by result."},
      {kRegistrarActivations,
       T::kCounter,
       C::kRegistrar,
       kLabelResult,
       results,
       {},
       "Activate calls answered, by result."},
      // Agent.
      {kAgentQuotes,
       T::kCounter,
       C::kAgent,
       kLabelResult,
       results,
       {},
       "GetQuote calls answered, by result."},
      {kAgentTpmCommandDuration,
       T::kHistogram,
       C::kAgent,
       kLabelCommand,
       {kTpmQuote, kTpmPcrRead, kTpmNvRead, kTpmActivateCredential,
        kTpmCreatePrimary, kTpmCreate, kTpmLoad, kTpmReadPublic,
        kTpmGetCapability, kTpmStartAuthSession},
       TpmBuckets(),
       "TPM command latency by command, in seconds."},
  };
  return *table;
}

}  // namespace

absl::Span<const MetricDef> Catalogue() { return Table(); }

const MetricDef* Find(absl::string_view name) {
  for (const MetricDef& def : Table()) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

absl::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

absl::string_view ComponentName(Component component) {
  switch (component) {
    case Component::kVerifier:
      return "verifier";
    case Component::kRegistrar:
      return "registrar";
    case Component::kAgent:
      return "agent";
  }
  return "unknown";
}

}  // namespace candor::metrics
