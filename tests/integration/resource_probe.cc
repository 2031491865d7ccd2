// A tiny gtest program that needs PostgreSQL (Probe.Postgres) or swtpm
// (Probe.Swtpm). missing_resources_test runs it with the binaries hidden, with
// and without CI=true, to prove a missing part fails CI instead of skipping.
#include "gtest/gtest.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"
#include "tests/harness/swtpm.h"

TEST(Probe, Postgres) {
  auto pg = candor::testing::PostgresCluster::Start();
  CANDOR_REQUIRE_RESOURCE(pg);
}

TEST(Probe, Swtpm) {
  auto tpm = candor::testing::Swtpm::Start();
  CANDOR_REQUIRE_RESOURCE(tpm);
}
