// The in-memory store keeps the RegistrarStore contract.
#include "services/registrar/store/in_memory_store.h"

#include <memory>

#include "services/registrar/store/store_conformance.h"

namespace candor::registrar::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    InMemory, RegistrarStoreConformance,
    ::testing::Values(
        StoreFactory([]() -> absl::StatusOr<std::unique_ptr<RegistrarStore>> {
          return std::make_unique<InMemoryRegistrarStore>();
        })));

}  // namespace
}  // namespace candor::registrar::testing
