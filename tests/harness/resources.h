// File: tests/harness/resources.h
//
// What a test does when a real part (swtpm, PostgreSQL, Prometheus) cannot be
// started. Under CI=true the test FAILS with the reason (what is missing and how
// to install it): a missing dependency must never turn into a green run. Outside
// CI the test is skipped with the same reason, so a developer without swtpm can
// still run the rest.
//
//   auto pg = candor::testing::SharedPostgres();
//   CANDOR_REQUIRE_RESOURCE(pg);          // in a TEST body or SetUp()
#ifndef CANDOR_TESTS_HARNESS_RESOURCES_H_
#define CANDOR_TESTS_HARNESS_RESOURCES_H_

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace candor::testing {

// True when the CI environment variable is "true" or "1".
bool InCi();

// A temporary directory for a test: $TEST_TMPDIR if set, else /tmp.
std::string TestTmpRoot();

}  // namespace candor::testing

// Fails (under CI) or skips (otherwise) the current test when `status_or_ok`
// (an absl::Status or absl::StatusOr) is not OK.
#define CANDOR_REQUIRE_RESOURCE(status_or_ok)                                \
  do {                                                                       \
    const absl::Status candor_rs_ =                                          \
        ::candor::testing::internal::AsResourceStatus(status_or_ok);         \
    if (!candor_rs_.ok()) {                                                  \
      if (::candor::testing::InCi()) {                                       \
        GTEST_FAIL() << "required test resource unavailable under CI=true: " \
                     << candor_rs_.message();                                \
      } else {                                                               \
        GTEST_SKIP() << "resource unavailable (fails under CI=true): "       \
                     << candor_rs_.message();                                \
      }                                                                      \
    }                                                                        \
  } while (0)

namespace candor::testing::internal {
inline absl::Status AsResourceStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status AsResourceStatus(const T& status_or) {
  return status_or.status();
}
}  // namespace candor::testing::internal

#endif  // CANDOR_TESTS_HARNESS_RESOURCES_H_
