// File: services/verifier/store/agent_store_conformance.h  (testonly)
//
// The AgentStore contract (agent_store.h) as a parameterized gtest suite.
// Instantiate it with a factory returning a fresh, empty store per test (or
// an error, which fails under CI=true and skips otherwise, as for a missing
// PostgreSQL). `advance(d)` moves the store's notion of "now" forward by `d`
// for leases and heartbeats (the in-memory store advances its fake clock;
// PgAgentStore shifts the stored expiry times back by `d`), so lease expiry
// is tested without sleeping.
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, AgentStoreConformance,
//                            ::testing::Values(AgentStoreFactory{...}));
#ifndef CANDOR_SERVICES_VERIFIER_STORE_AGENT_STORE_CONFORMANCE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_AGENT_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/verifier/store/agent_store.h"

namespace candor::verifier::testing {

struct AgentStoreUnderTest {
  std::unique_ptr<AgentStore> store;
  std::function<absl::Status(absl::Duration)> advance;
};

using AgentStoreFactory = std::function<absl::StatusOr<AgentStoreUnderTest>()>;

class AgentStoreConformance
    : public ::testing::TestWithParam<AgentStoreFactory> {
 protected:
  void SetUp() override;
  void Advance(absl::Duration d);

  AgentStoreUnderTest sut_;
  AgentStore* store_ = nullptr;
};

// Test data shared with other suites.
// An agent record with every kind of field set (identity, attest_state,
// sealed V share, metadata, policies).
AgentRecord SampleAgent(
    const std::string& id,
    v1::OperationalState state = v1::OPERATIONAL_STATE_PENDING);
// An event of `kind` about `agent_id`, with a failure and, when `evidence`
// is not empty, that evidence.
NewEvent SampleEvent(const std::string& agent_id, v1::EventKind kind,
                     const std::string& evidence = "");

}  // namespace candor::verifier::testing

#endif  // CANDOR_SERVICES_VERIFIER_STORE_AGENT_STORE_CONFORMANCE_H_
