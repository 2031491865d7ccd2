// File: tests/integration/tpm/tpm_fixture.h
//
// Shared by the EsysTpm integration tests: one provisioned swtpm per test
// binary (provisioning costs ~0.7 s), a fresh EsysTpm on it for each test
// (Create flushes whatever an earlier test left), AK blobs created once per
// (AK type, EK) and reused, and helpers for the tpm2-tools cross-checks
// (tpm2_checkquote, tpm2_makecredential -T none) and their file formats.
//
// Under CI=true a missing swtpm or tpm2-tools fails the test; otherwise it
// is skipped (CANDOR_REQUIRE_RESOURCE).
#ifndef CANDOR_TESTS_INTEGRATION_TPM_TPM_FIXTURE_H_
#define CANDOR_TESTS_INTEGRATION_TPM_TPM_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "lib/tpm/esys_tpm.h"
#include "tests/harness/swtpm.h"
#include "tests/harness/temp_dir.h"

namespace candor::tpm::testing {

class SwtpmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override { tpm_.reset(); }

  static candor::testing::Swtpm& swtpm() { return *swtpm_; }
  // Blobs of an AK of `type` under `ek`, created on first use (RSA keys take
  // 70–230 ms to generate) with the current tpm_.
  AkBlobs Ak(AkType type, EkType ek);
  // A file in this test binary's temporary directory.
  std::string Path(const std::string& name) const;

  std::unique_ptr<EsysTpm> tpm_;

 private:
  static candor::testing::Swtpm* swtpm_;
  static absl::Status* start_status_;
  static candor::testing::TempDir* dir_;
  static std::map<std::pair<AkType, EkType>, AkBlobs>* aks_;
};

// Runs /usr/bin/<tool> with `args` (tpm2-tools). FAILED_PRECONDITION when the
// tool is missing; otherwise OK only on exit status 0 (the error carries the
// tool's output).
absl::Status RunTool(const std::string& tool,
                     const std::vector<std::string>& args);
// FAILED_PRECONDITION naming tpm2-tools when `tool` is not installed.
absl::Status RequireTool(const std::string& tool);

// The pcrs file tpm2_quote -o writes and tpm2_checkquote -f reads (tpm2-tools
// 5.4): the raw TPML_PCR_SELECTION struct, a UINT32 count, then that many raw
// TPML_DIGEST structs (up to 8 digests each) in selection order.
absl::StatusOr<std::string> Tpm2ToolsPcrsFile(const PcrSelection& selection,
                                              const PcrValues& values);

// tpm2_makecredential -o output: BE32 magic 0xBADCC0DE, BE32 version 1, then
// TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET (each a BE16 size and bytes).
// Returns the two marshalled structures.
absl::StatusOr<std::pair<std::string, std::string>> ParseMakeCredentialFile(
    const std::string& bytes);

absl::StatusOr<std::string> ReadFileBytes(const std::string& path);

}  // namespace candor::tpm::testing

#endif  // CANDOR_TESTS_INTEGRATION_TPM_TPM_FIXTURE_H_
