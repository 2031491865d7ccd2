// File: lib/metrics/metrics_catalogue.h
//
// The one definition of every Candor Prometheus metric (DESIGN.md "Metrics"):
// name, type, component, label, the label's known values and help text.
// lib/metrics/README.md mirrors Catalogue() row for row
// (metrics_catalogue_test fails when they differ), so dashboards and alert
// rules in deploy/ can rely on the README. component_metrics.h builds the
// families from this table; no other code names a metric.
//
// Names follow candor_<component>_<what>_<unit> (counters end in _total).
// Labels are low-cardinality only: every metric has at most one label, and
// its values are the listed constants (or, for failure_id, the ids of
// lib/failure/catalogue.h) — never an agent id, path or free text.
//
// The table is immutable; all functions are thread-safe.
#ifndef CANDOR_LIB_METRICS_METRICS_CATALOGUE_H_
#define CANDOR_LIB_METRICS_METRICS_CATALOGUE_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace candor::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };
enum class Component { kVerifier, kRegistrar, kAgent };

// One catalogue entry.
struct MetricDef {
  absl::string_view name;  // Valid Prometheus metric name, unique.
  MetricType type;
  Component component;      // Which daemon exports it.
  absl::string_view label;  // The one label name; empty when none.
  // The label's values, each created at zero when the component's metrics
  // are built (so every series exists before its first event). Empty for an
  // unlabelled metric, and for failure_id (values: the failure catalogue).
  std::vector<absl::string_view> values;
  // Histogram bucket upper bounds (seconds), ascending; empty otherwise.
  std::vector<double> buckets;
  absl::string_view help;  // One sentence, no '|' or newline.
};

// Every metric, grouped by component (verifier, registrar, agent).
absl::Span<const MetricDef> Catalogue();

// The entry named `name`, or nullptr.
const MetricDef* Find(absl::string_view name);

// "counter", "gauge", "histogram" (Prometheus TYPE keywords).
absl::string_view TypeName(MetricType type);
// "verifier", "registrar", "agent".
absl::string_view ComponentName(Component component);

// Metric names.
inline constexpr absl::string_view kVerifierAttestations =
    "candor_verifier_attestations_total";
inline constexpr absl::string_view kVerifierAttestationDuration =
    "candor_verifier_attestation_duration_seconds";
inline constexpr absl::string_view kVerifierAgents = "candor_verifier_agents";
inline constexpr absl::string_view kVerifierOwnedAgents =
    "candor_verifier_owned_agents";
inline constexpr absl::string_view kVerifierImaEntries =
    "candor_verifier_ima_entries_processed_total";
inline constexpr absl::string_view kVerifierFailures =
    "candor_verifier_failures_total";
inline constexpr absl::string_view kVerifierLeasesGained =
    "candor_verifier_leases_gained_total";
inline constexpr absl::string_view kVerifierLeasesLost =
    "candor_verifier_leases_lost_total";
inline constexpr absl::string_view kVerifierWatchSubscribers =
    "candor_verifier_watch_subscribers";
inline constexpr absl::string_view kVerifierDbLatency =
    "candor_verifier_db_latency_seconds";
inline constexpr absl::string_view kRegistrarRegistrations =
    "candor_registrar_registrations_total";
inline constexpr absl::string_view kRegistrarActivations =
    "candor_registrar_activations_total";
inline constexpr absl::string_view kAgentQuotes = "candor_agent_quotes_total";
inline constexpr absl::string_view kAgentTpmCommandDuration =
    "candor_agent_tpm_command_duration_seconds";

// Label names.
inline constexpr absl::string_view kLabelResult = "result";
inline constexpr absl::string_view kLabelStage = "stage";
inline constexpr absl::string_view kLabelState = "state";
inline constexpr absl::string_view kLabelFailureId = "failure_id";
inline constexpr absl::string_view kLabelCommand = "command";

// Attestation results (a cycle's verdict, as in AttestationEvent's kind).
inline constexpr absl::string_view kAttestationPass = "pass";
inline constexpr absl::string_view kAttestationFail = "fail";
inline constexpr absl::string_view kAttestationIncomplete = "incomplete";

// Attestation stages.
inline constexpr absl::string_view kStageRpc = "rpc";
inline constexpr absl::string_view kStageQuote = "quote";
inline constexpr absl::string_view kStageBoot = "boot";
inline constexpr absl::string_view kStageIma = "ima";
inline constexpr absl::string_view kStagePolicy = "policy";
inline constexpr absl::string_view kStageDb = "db";

// Agent operational states (candor.v1.OperationalState, lower-case).
inline constexpr absl::string_view kStatePending = "pending";
inline constexpr absl::string_view kStateAttesting = "attesting";
inline constexpr absl::string_view kStateUnreachable = "unreachable";
inline constexpr absl::string_view kStateFailed = "failed";
inline constexpr absl::string_view kStateStopped = "stopped";

// RPC results (registrations, activations, quotes); see ResultOf() in
// component_metrics.h for the mapping from a Status.
inline constexpr absl::string_view kResultOk = "ok";
inline constexpr absl::string_view kResultInvalid = "invalid";
inline constexpr absl::string_view kResultDenied = "denied";
inline constexpr absl::string_view kResultRateLimited = "rate_limited";
inline constexpr absl::string_view kResultError = "error";

// TPM commands timed by the agent (TPM2_CC names, snake case).
inline constexpr absl::string_view kTpmQuote = "quote";
inline constexpr absl::string_view kTpmPcrRead = "pcr_read";
inline constexpr absl::string_view kTpmNvRead = "nv_read";
inline constexpr absl::string_view kTpmActivateCredential =
    "activate_credential";
inline constexpr absl::string_view kTpmCreatePrimary = "create_primary";
inline constexpr absl::string_view kTpmCreate = "create";
inline constexpr absl::string_view kTpmLoad = "load";
inline constexpr absl::string_view kTpmReadPublic = "read_public";
inline constexpr absl::string_view kTpmGetCapability = "get_capability";
inline constexpr absl::string_view kTpmStartAuthSession = "start_auth_session";

}  // namespace candor::metrics

#endif  // CANDOR_LIB_METRICS_METRICS_CATALOGUE_H_
