#include "lib/metrics/exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/metrics/testing/http_get.h"
#include "lib/metrics/component_metrics.h"
#include "lib/metrics/metrics_catalogue.h"

namespace candor::metrics {
namespace {

using ::testing::HasSubstr;

using testing::HttpGet;

// Scrapes an exporter serving `registry` and checks that every documented
// metric of `component` has its HELP and TYPE lines.
void ExpectScrapeHasComponent(std::shared_ptr<prometheus::Registry> registry,
                              Component component) {
  absl::StatusOr<std::unique_ptr<Exporter>> exporter =
      StartExporter("127.0.0.1:0", registry);
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_GT((*exporter)->port(), 0);
  const std::string response = HttpGet((*exporter)->port(), "/metrics");
  ASSERT_THAT(response, HasSubstr("200 OK"));
  int checked = 0;
  for (const MetricDef& def : Catalogue()) {
    if (def.component != component) {
      EXPECT_THAT(response, ::testing::Not(HasSubstr(def.name)));
      continue;
    }
    ++checked;
    EXPECT_THAT(response,
                HasSubstr(absl::StrCat("# HELP ", def.name, " ", def.help)));
    EXPECT_THAT(response, HasSubstr(absl::StrCat("# TYPE ", def.name, " ",
                                                 TypeName(def.type), "\n")));
  }
  EXPECT_GT(checked, 0);
}

TEST(ExporterTest, ServesVerifierMetrics) {
  auto registry = std::make_shared<prometheus::Registry>();
  VerifierMetrics metrics(registry);
  metrics.AttestationResult(kAttestationPass);
  ExpectScrapeHasComponent(registry, Component::kVerifier);
}

TEST(ExporterTest, ServesRegistrarMetrics) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegistrarMetrics metrics(registry);
  ExpectScrapeHasComponent(registry, Component::kRegistrar);
}

TEST(ExporterTest, ServesAgentMetrics) {
  auto registry = std::make_shared<prometheus::Registry>();
  AgentMetrics metrics(registry);
  ExpectScrapeHasComponent(registry, Component::kAgent);
}

TEST(ExporterTest, ServesCurrentValues) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegistrarMetrics metrics(registry);
  absl::StatusOr<std::unique_ptr<Exporter>> exporter =
      StartExporter("127.0.0.1:0", registry);
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  metrics.RegistrationResult(kResultDenied);
  metrics.RegistrationResult(kResultDenied);
  EXPECT_THAT(HttpGet((*exporter)->port(), "/metrics"),
              HasSubstr("candor_registrar_registrations_total{result=\"denied\""
                        "} 2"));
}

TEST(ExporterTest, PortInUseIsUnavailableNamingTheAddress) {
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<Exporter>> first =
      StartExporter("127.0.0.1:0", registry);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string address = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<Exporter>> second =
      StartExporter(address, registry);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(address));
}

TEST(ExporterTest, RejectsEmptyAddressAndNullRegistry) {
  EXPECT_EQ(StartExporter("", std::make_shared<prometheus::Registry>())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::unique_ptr<Exporter>> null =
      StartExporter("127.0.0.1:0", nullptr);
  EXPECT_EQ(null.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(null.status().message(), HasSubstr("127.0.0.1:0"));
}

TEST(ExporterTest, RejectsMalformedAddresses) {
  auto registry = std::make_shared<prometheus::Registry>();
  for (const std::string address :
       {"9102", ":9102", "127.0.0.1:", "127.0.0.1:9102s", "127.0.0.1:70000",
        "127.0.0.1:-1", "127.0.0.1:1,127.0.0.1:2", "[::1:9102",
        "127.0.0.1:123456"}) {
    absl::StatusOr<std::unique_ptr<Exporter>> exporter =
        StartExporter(address, registry);
    EXPECT_EQ(exporter.status().code(), absl::StatusCode::kInvalidArgument)
        << address;
    EXPECT_THAT(exporter.status().message(), HasSubstr(address)) << address;
  }
}

TEST(ExporterTest, NonLocalAddressIsUnavailable) {
  // TEST-NET-1 (RFC 5737) is never a local address.
  absl::StatusOr<std::unique_ptr<Exporter>> exporter =
      StartExporter("192.0.2.1:0", std::make_shared<prometheus::Registry>());
  EXPECT_EQ(exporter.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(exporter.status().message(), HasSubstr("192.0.2.1:0"));
}

}  // namespace
}  // namespace candor::metrics
