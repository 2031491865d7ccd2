// A simulated reboot on a real swtpm: TPM2_Shutdown(CLEAR), a TPM reset
// (swtpm_ioctl -i), TPM2_Startup(CLEAR). Afterwards the AK reloads from its
// blobs, the PCRs are back to their reset values and the next quote's
// resetCount has gone up by one.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "lib/tpm/esys_context.h"
#include "lib/tpm/handles.h"
#include "lib/tpm/testing/quote_check.h"
#include "lib/tpm/tss_error.h"
#include "tests/integration/tpm/tpm_fixture.h"

namespace candor::tpm::testing {
namespace {

class RebootTest : public SwtpmTest {};

const PcrSelection kSel = {{TPM2_ALG_SHA256, {0, 10, 16}}};

TEST_F(RebootTest, AkReloadsFromBlobsAndResetCountGoesUp) {
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kRsa);
  ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kRsa).ok());
  for (uint32_t pcr : {0u, 10u, 16u}) {
    ASSERT_TRUE(
        tpm_->ExtendPcr(pcr, {{TPM2_ALG_SHA256, crypto::Sha256("boot")}}).ok());
  }
  auto before = tpm_->Quote(kSel, "before");
  ASSERT_TRUE(before.ok()) << before.status();
  auto attest_before = CheckQuote(ak.public_area, *before, "before", kSel);
  ASSERT_TRUE(attest_before.ok()) << attest_before.status();

  ASSERT_TRUE(tpm_->Shutdown(true).ok());
  ASSERT_TRUE(swtpm().Ioctl("-i").ok());
  // Until TPM2_Startup, the TPM answers TPM_RC_INITIALIZE.
  absl::Status s = tpm_->ReadPcrs(kSel).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(ClassifyRc(TssRcFromStatus(s).value_or(0)), RetryClass::kReboot);
  ASSERT_TRUE(tpm_->Startup(true).ok());

  EXPECT_EQ(tpm_->Quote(kSel, "n").status().code(),
            absl::StatusCode::kFailedPrecondition);  // the AK is gone
  ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kRsa).ok());
  auto after = tpm_->Quote(kSel, "after");
  ASSERT_TRUE(after.ok()) << after.status();
  auto attest_after = CheckQuote(ak.public_area, *after, "after", kSel);
  ASSERT_TRUE(attest_after.ok()) << attest_after.status();
  for (uint32_t pcr : {0u, 10u, 16u}) {
    EXPECT_EQ(after->pcrs.at(TPM2_ALG_SHA256).at(pcr), std::string(32, '\0'))
        << "PCR " << pcr;
  }
  EXPECT_EQ(attest_after->clockInfo.resetCount,
            attest_before->clockInfo.resetCount + 1);
  EXPECT_EQ(attest_after->clockInfo.restartCount, 0u);
  EXPECT_GE(attest_after->clockInfo.clock, attest_before->clockInfo.clock);
  auto handles = tpm_->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_EQ(handles->transient.size(), 1u);
}

TEST_F(RebootTest, CreateAcceptsATpmAwaitingStartup) {
  tpm_.reset();
  ASSERT_TRUE(swtpm().Ioctl("-i").ok());
  auto tpm = EsysTpm::Create(swtpm().tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.status();
  EXPECT_EQ((*tpm)->Facts().status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*tpm)->Startup(true).ok());
  EXPECT_TRUE((*tpm)->Facts().ok());
}

TEST_F(RebootTest, StartupOnAStartedTpmChangesNothing) {
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kRsa);
  ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kRsa).ok());
  ASSERT_TRUE(
      tpm_->ExtendPcr(16, {{TPM2_ALG_SHA256, crypto::Sha256("k")}}).ok());
  auto before = tpm_->ReadPcrs(kSel);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(tpm_->Startup(true).ok());
  EXPECT_EQ(*tpm_->ReadPcrs(kSel), *before);
  EXPECT_TRUE(tpm_->Quote(kSel, "n").ok());  // the AK is still loaded
  tpm_.reset();
  auto ctx = EsysContext::Open(swtpm().tcti());
  ASSERT_TRUE(ctx.ok());
  auto handles = ListLoadedHandles(**ctx);
  ASSERT_TRUE(handles.ok());
  EXPECT_TRUE(handles->transient.empty());  // and was flushed at the end
}

}  // namespace
}  // namespace candor::tpm::testing
