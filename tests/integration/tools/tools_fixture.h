// File: tests/integration/tools/tools_fixture.h
//
// Shared by the tools' integration tests: one provisioned swtpm per test
// binary (sha1 + sha256 banks), reset before every test (swtpm_ioctl -i and
// TPM2_Startup, so each test starts from a freshly booted TPM), a private
// temporary directory per test, and helpers that run the tool binaries and
// tpm2-tools (with TPM2TOOLS_TCTI pointing at the swtpm; it runs with
// ",disconnect", so they share it command by command) and read their YAML.
//
// Under CI=true a missing swtpm or tpm2-tools fails the test; otherwise it
// is skipped (CANDOR_REQUIRE_RESOURCE).
#ifndef CANDOR_TESTS_INTEGRATION_TOOLS_TOOLS_FIXTURE_H_
#define CANDOR_TESTS_INTEGRATION_TOOLS_TOOLS_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "lib/tpm/pcr_values.h"
#include "tests/harness/swtpm.h"
#include "tests/harness/temp_dir.h"

namespace candor::tools::testing {

struct ProgramResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs argv (argv[0] absolute) to completion within 120 s.
absl::StatusOr<ProgramResult> RunProgram(
    const std::vector<std::string>& argv,
    const std::vector<std::string>& env = {});

// The runfiles path of a tool binary: tools/<name>.
std::string ToolPath(const std::string& name);

// Runs //tools:<name> with `args`.
absl::StatusOr<ProgramResult> RunTool(const std::string& name,
                                      const std::vector<std::string>& args);

// Runs /usr/bin/<tool> with TPM2TOOLS_TCTI=`tcti`. FAILED_PRECONDITION
// (naming tpm2-tools) when the tool is not installed.
absl::StatusOr<ProgramResult> RunTpm2(const std::string& tcti,
                                      const std::string& tool,
                                      const std::vector<std::string>& args);

// The PCR values of YAML such as tpm2_pcrread prints ("  sha256:" then
// "    0 : 0x..." lines). With `after` set, only the text after the first
// line equal to it (tpm2_eventlog's "pcrs:").
absl::StatusOr<tpm::PcrValues> ParsePcrYaml(absl::string_view text,
                                            absl::string_view after = "");

// "sha1:0,1,...+sha256:..." for tpm2_pcrread.
std::string PcrSpec(const std::vector<TPM2_ALG_ID>& banks,
                    const std::vector<uint32_t>& pcrs);

class SwtpmToolsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static candor::testing::Swtpm& swtpm() { return *swtpm_; }
  std::string tcti() const { return swtpm_->tcti(); }
  std::string Path(const std::string& name) const { return dir_.Sub(name); }

  // The TPM's PCRs: by tpm2_pcrread, and by lib/tpm (EsysTpm).
  tpm::PcrValues PcrRead(const std::vector<TPM2_ALG_ID>& banks,
                         const std::vector<uint32_t>& pcrs);
  tpm::PcrValues EsysPcrs(const std::vector<TPM2_ALG_ID>& banks,
                          const std::vector<uint32_t>& pcrs);
  // resetCount, from tpm2_readclock.
  uint64_t ResetCount();

 private:
  static candor::testing::Swtpm* swtpm_;
  static absl::Status* start_status_;
  candor::testing::TempDir dir_;
};

}  // namespace candor::tools::testing

#endif  // CANDOR_TESTS_INTEGRATION_TOOLS_TOOLS_FIXTURE_H_
