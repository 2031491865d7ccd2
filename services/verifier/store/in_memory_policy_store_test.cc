// The in-memory store keeps the PolicyStore contract.
#include "services/verifier/store/in_memory_policy_store.h"

#include <memory>
#include <utility>

#include "services/verifier/store/policy_store_conformance.h"

namespace candor::verifier::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(InMemory, PolicyStoreConformance,
                         ::testing::Values(PolicyStoreFactory(
                             []() -> absl::StatusOr<PolicyStoreUnderTest> {
                               auto store =
                                   std::make_unique<InMemoryPolicyStore>();
                               InMemoryPolicyStore* raw = store.get();
                               PolicyStoreUnderTest sut;
                               sut.store = std::move(store);
                               sut.content_count =
                                   [raw]() -> absl::StatusOr<size_t> {
                                 return raw->ContentCount();
                               };
                               return sut;
                             })));

}  // namespace
}  // namespace candor::verifier::testing
