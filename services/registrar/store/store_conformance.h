// File: services/registrar/store/store_conformance.h  (testonly)
//
// The RegistrarStore contract as a parameterized gtest suite. Instantiate it
// with a factory that returns a fresh, empty store per test (or an error,
// which fails under CI=true and skips otherwise, as for a missing
// PostgreSQL):
//
//   INSTANTIATE_TEST_SUITE_P(InMemory, RegistrarStoreConformance,
//                            ::testing::Values(StoreFactory([] { ... })));
#ifndef CANDOR_SERVICES_REGISTRAR_STORE_STORE_CONFORMANCE_H_
#define CANDOR_SERVICES_REGISTRAR_STORE_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "services/registrar/store/registrar_store.h"

namespace candor::registrar::testing {

using StoreFactory =
    std::function<absl::StatusOr<std::unique_ptr<RegistrarStore>>()>;

class RegistrarStoreConformance
    : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<RegistrarStore> store_;
};

}  // namespace candor::registrar::testing

#endif  // CANDOR_SERVICES_REGISTRAR_STORE_STORE_CONFORMANCE_H_
