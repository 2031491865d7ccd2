// File: cli/tenant/testing/run_tenant.h  (testonly)
//
// Runs the built tenant binary as a user would (tests list //cli/tenant in
// their data), with its output and exit code.
#ifndef CANDOR_CLI_TENANT_TESTING_RUN_TENANT_H_
#define CANDOR_CLI_TENANT_TESTING_RUN_TENANT_H_

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/harness/subprocess.h"

namespace candor::tenant {

inline candor::testing::CommandResult RunTenant(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {std::string(std::getenv("TEST_SRCDIR")) +
                                   "/candor/cli/tenant/tenant"};
  argv.insert(argv.end(), args.begin(), args.end());
  return candor::testing::RunAndCapture(argv);
}

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_TESTING_RUN_TENANT_H_
