// File: services/verifier/store/policy_store_conformance.h  (testonly)
//
// The PolicyStore contract (policy_store.h) as a parameterized gtest suite.
// Instantiate it with a factory returning a fresh, empty store per test (or
// an error, which fails under CI=true and skips otherwise, as for a missing
// PostgreSQL). ContentCount answers how many distinct contents the store
// holds (for "stored once" and "removed with its last reference").
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, PolicyStoreConformance,
//                            ::testing::Values(PolicyStoreFactory{...}));
#ifndef CANDOR_SERVICES_VERIFIER_STORE_POLICY_STORE_CONFORMANCE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_POLICY_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier::testing {

struct PolicyStoreUnderTest {
  std::unique_ptr<PolicyStore> store;
  // Distinct contents stored (policy_contents rows).
  std::function<absl::StatusOr<size_t>()> content_count;
};

using PolicyStoreFactory =
    std::function<absl::StatusOr<PolicyStoreUnderTest>()>;

class PolicyStoreConformance
    : public ::testing::TestWithParam<PolicyStoreFactory> {
 protected:
  void SetUp() override;
  size_t ContentCount();

  PolicyStoreUnderTest sut_;
  PolicyStore* store_ = nullptr;
};

}  // namespace candor::verifier::testing

#endif  // CANDOR_SERVICES_VERIFIER_STORE_POLICY_STORE_CONFORMANCE_H_
