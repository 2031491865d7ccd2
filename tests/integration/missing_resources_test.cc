// Under CI=true a PostgreSQL or swtpm that cannot start FAILS the test with a
// message saying what is missing; outside CI the test is skipped with the
// same message. Runs resource_probe with CANDOR_PG_BINDIR /
// CANDOR_SWTPM_BINDIR pointed at an empty directory.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/subprocess.h"

namespace {

using ::testing::HasSubstr;

using ProbeRun = candor::testing::CommandResult;

ProbeRun Probe(const std::string& filter, const std::vector<std::string>& env) {
  return candor::testing::RunAndCapture(
      {std::string(std::getenv("TEST_SRCDIR")) +
           "/candor/tests/integration/resource_probe",
       "--gtest_filter=" + filter},
      absl::Seconds(60), env);
}

std::string EmptyDir() {
  std::string d = std::string(std::getenv("TEST_TMPDIR")) + "/empty-bin";
  std::filesystem::create_directories(d);
  return d;
}

TEST(MissingResourcesTest, PostgresMissingFailsUnderCi) {
  ProbeRun r = Probe("Probe.Postgres", {"CI=true", "CANDOR_PG_BINDIR=" + EmptyDir()});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("required test resource unavailable under "
                                  "CI=true"));
  EXPECT_THAT(r.output, HasSubstr(EmptyDir() + "/initdb"));
  EXPECT_THAT(r.output, HasSubstr("install postgresql-15"));
  EXPECT_THAT(r.output, HasSubstr("FAILED"));
}

TEST(MissingResourcesTest, PostgresMissingSkipsOutsideCi) {
  ProbeRun r = Probe("Probe.Postgres", {"CI", "CANDOR_PG_BINDIR=" + EmptyDir()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("SKIPPED"));
  EXPECT_THAT(r.output, HasSubstr("fails under CI=true"));
}

TEST(MissingResourcesTest, SwtpmMissingFailsUnderCi) {
  ProbeRun r = Probe("Probe.Swtpm", {"CI=true", "CANDOR_SWTPM_BINDIR=" + EmptyDir()});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(EmptyDir() + "/swtpm"));
  EXPECT_THAT(r.output, HasSubstr("install swtpm"));
}

}  // namespace
