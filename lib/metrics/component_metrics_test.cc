#include "lib/metrics/component_metrics.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/failure/catalogue.h"
#include "lib/metrics/metrics_catalogue.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"

namespace candor::metrics {
namespace {

prometheus::MetricType PromType(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kGauge:
      return prometheus::MetricType::Gauge;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

const prometheus::MetricFamily* FindFamily(
    const std::vector<prometheus::MetricFamily>& families,
    absl::string_view name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

// The series of `name` whose label (if any) has `value`.
const prometheus::ClientMetric* FindSeries(
    const std::vector<prometheus::MetricFamily>& families,
    absl::string_view name, absl::string_view value = "") {
  const prometheus::MetricFamily* family = FindFamily(families, name);
  if (family == nullptr) return nullptr;
  for (const auto& metric : family->metric) {
    if (metric.label.empty() && value.empty()) return &metric;
    if (metric.label.size() == 1 && metric.label[0].value == value) {
      return &metric;
    }
  }
  return nullptr;
}

// Every catalogue metric of `component`, and only those, is registered with
// its type, help and every known series.
void ExpectComponentFamilies(const prometheus::Registry& registry,
                             Component component, size_t failure_ids = 0) {
  const std::vector<prometheus::MetricFamily> families = registry.Collect();
  size_t expected = 0;
  for (const MetricDef& def : Catalogue()) {
    if (def.component != component) continue;
    ++expected;
    const prometheus::MetricFamily* family = FindFamily(families, def.name);
    ASSERT_NE(family, nullptr) << def.name;
    EXPECT_EQ(family->help, def.help) << def.name;
    EXPECT_EQ(family->type, PromType(def.type)) << def.name;
    size_t series = def.label.empty() ? 1 : def.values.size();
    if (def.label == kLabelFailureId) series = failure_ids;
    EXPECT_EQ(family->metric.size(), series) << def.name;
    for (const auto& metric : family->metric) {
      ASSERT_EQ(metric.label.size(), def.label.empty() ? 0u : 1u);
      if (!def.label.empty()) {
        EXPECT_EQ(metric.label[0].name, def.label);
      }
    }
  }
  EXPECT_EQ(families.size(), expected);
}

TEST(ComponentMetricsTest, VerifierFamiliesAndHelpers) {
  auto registry = std::make_shared<prometheus::Registry>();
  VerifierMetrics metrics(registry);
  ExpectComponentFamilies(*registry, Component::kVerifier,
                          failure::Catalogue().size());

  metrics.AttestationResult(kAttestationFail);
  metrics.AttestationResult(kAttestationFail);
  metrics.ObserveStage(kStageIma, 0.2);
  metrics.SetAgentsInState(kStateAttesting, 7);
  metrics.SetOwnedAgents(9);
  metrics.ImaEntriesProcessed(1500);
  metrics.Failure(failure::kImaNotInPolicy);
  metrics.LeaseGained();
  metrics.LeaseLost();
  metrics.WatchSubscriberOpened();
  metrics.WatchSubscriberOpened();
  metrics.WatchSubscriberClosed();
  metrics.ObserveDbLatency(0.003);

  const auto families = registry->Collect();
  EXPECT_EQ(FindSeries(families, kVerifierAttestations, "fail")->counter.value,
            2);
  EXPECT_EQ(FindSeries(families, kVerifierAttestations, "pass")->counter.value,
            0);
  const auto* ima = FindSeries(families, kVerifierAttestationDuration, "ima");
  EXPECT_EQ(ima->histogram.sample_count, 1u);
  EXPECT_DOUBLE_EQ(ima->histogram.sample_sum, 0.2);
  EXPECT_EQ(FindSeries(families, kVerifierAgents, "attesting")->gauge.value, 7);
  EXPECT_EQ(FindSeries(families, kVerifierOwnedAgents)->gauge.value, 9);
  EXPECT_EQ(FindSeries(families, kVerifierImaEntries)->counter.value, 1500);
  EXPECT_EQ(FindSeries(families, kVerifierFailures, "ima.not_in_policy")
                ->counter.value,
            1);
  EXPECT_EQ(FindSeries(families, kVerifierLeasesGained)->counter.value, 1);
  EXPECT_EQ(FindSeries(families, kVerifierLeasesLost)->counter.value, 1);
  EXPECT_EQ(FindSeries(families, kVerifierWatchSubscribers)->gauge.value, 1);
  EXPECT_EQ(FindSeries(families, kVerifierDbLatency)->histogram.sample_count,
            1u);
}

TEST(ComponentMetricsTest, RegistrarFamiliesAndHelpers) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegistrarMetrics metrics(registry);
  ExpectComponentFamilies(*registry, Component::kRegistrar);
  metrics.RegistrationResult(ResultOf(absl::OkStatus()));
  metrics.RegistrationResult(
      ResultOf(absl::ResourceExhaustedError("slow down")));
  metrics.ActivationResult(ResultOf(absl::InvalidArgumentError("bad")));
  const auto families = registry->Collect();
  EXPECT_EQ(FindSeries(families, kRegistrarRegistrations, "ok")->counter.value,
            1);
  EXPECT_EQ(FindSeries(families, kRegistrarRegistrations, "rate_limited")
                ->counter.value,
            1);
  EXPECT_EQ(
      FindSeries(families, kRegistrarActivations, "invalid")->counter.value, 1);
}

TEST(ComponentMetricsTest, AgentFamiliesAndHelpers) {
  auto registry = std::make_shared<prometheus::Registry>();
  AgentMetrics metrics(registry);
  ExpectComponentFamilies(*registry, Component::kAgent);
  metrics.QuoteResult(kResultOk);
  metrics.ObserveTpmCommand(kTpmQuote, 0.08);
  metrics.ObserveTpmCommand(kTpmQuote, 0.12);
  const auto families = registry->Collect();
  EXPECT_EQ(FindSeries(families, kAgentQuotes, "ok")->counter.value, 1);
  const auto* quote = FindSeries(families, kAgentTpmCommandDuration, "quote");
  EXPECT_EQ(quote->histogram.sample_count, 2u);
  // Buckets from the catalogue (+Inf added by prometheus-cpp).
  EXPECT_EQ(quote->histogram.bucket.size(),
            Find(kAgentTpmCommandDuration)->buckets.size() + 1);
}

TEST(ComponentMetricsTest, UnlistedLabelValueMakesItsOwnSeries) {
  auto registry = std::make_shared<prometheus::Registry>();
  AgentMetrics metrics(registry);
  metrics.ObserveTpmCommand("policy_secret", 0.01);
  const auto families = registry->Collect();
  const auto* series =
      FindSeries(families, kAgentTpmCommandDuration, "policy_secret");
  ASSERT_NE(series, nullptr);
  EXPECT_EQ(series->histogram.sample_count, 1u);
}

TEST(ComponentMetricsTest, ComponentsShareOneRegistryAndMerge) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegistrarMetrics first(registry);
  RegistrarMetrics second(registry);
  AgentMetrics agent(registry);
  first.RegistrationResult(kResultOk);
  second.RegistrationResult(kResultOk);
  const auto families = registry->Collect();
  EXPECT_EQ(FindSeries(families, kRegistrarRegistrations, "ok")->counter.value,
            2);
  EXPECT_NE(FindFamily(families, kAgentQuotes), nullptr);
}

TEST(ComponentMetricsTest, ConcurrentUpdatesAreCounted) {
  auto registry = std::make_shared<prometheus::Registry>();
  VerifierMetrics metrics(registry);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) {
        metrics.AttestationResult(kAttestationPass);
        metrics.Failure("ima.made_up_for_test");
        metrics.ObserveStage(kStageRpc, 0.001);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto families = registry->Collect();
  EXPECT_EQ(FindSeries(families, kVerifierAttestations, "pass")->counter.value,
            8000);
  EXPECT_EQ(FindSeries(families, kVerifierFailures, "ima.made_up_for_test")
                ->counter.value,
            8000);
  EXPECT_EQ(FindSeries(families, kVerifierAttestationDuration, "rpc")
                ->histogram.sample_count,
            8000u);
}

TEST(ResultOfTest, MapsStatusCodes) {
  EXPECT_EQ(ResultOf(absl::OkStatus()), kResultOk);
  EXPECT_EQ(ResultOf(absl::InvalidArgumentError("")), kResultInvalid);
  EXPECT_EQ(ResultOf(absl::FailedPreconditionError("")), kResultInvalid);
  EXPECT_EQ(ResultOf(absl::NotFoundError("")), kResultInvalid);
  EXPECT_EQ(ResultOf(absl::AlreadyExistsError("")), kResultInvalid);
  EXPECT_EQ(ResultOf(absl::PermissionDeniedError("")), kResultDenied);
  EXPECT_EQ(ResultOf(absl::UnauthenticatedError("")), kResultDenied);
  EXPECT_EQ(ResultOf(absl::ResourceExhaustedError("")), kResultRateLimited);
  EXPECT_EQ(ResultOf(absl::InternalError("")), kResultError);
  EXPECT_EQ(ResultOf(absl::UnavailableError("")), kResultError);
}

}  // namespace
}  // namespace candor::metrics
