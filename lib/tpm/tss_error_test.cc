#include "lib/tpm/tss_error.h"

#include <tss2/tss2_rc.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/status/status_macros.h"

namespace candor::tpm {
namespace {

using ::testing::Optional;

struct Case {
  TSS2_RC rc;
  RetryClass retry;
  absl::StatusCode code;
  std::string message;
};

TEST(TssErrorTest, MessageCodeAndPayload) {
  const Case cases[] = {
      {TPM2_RC_RETRY, RetryClass::kLater, absl::StatusCode::kUnavailable,
       "Esys_Quote: tpm:warn(2.0): the TPM was not able to start the command "
       "(rc=0x922, retry: later)"},
      {TPM2_RC_LOCKOUT, RetryClass::kDefend,
       absl::StatusCode::kResourceExhausted,
       "Esys_Quote: tpm:warn(2.0): authorizations for objects subject to DA "
       "protection are not allowed at this time because the TPM is in DA "
       "lockout mode (rc=0x921, retry: defend)"},
      {TPM2_RC_INITIALIZE, RetryClass::kReboot,
       absl::StatusCode::kFailedPrecondition,
       "Esys_Quote: tpm:error(2.0): TPM not initialized by TPM2_Startup or "
       "already initialized (rc=0x100, retry: reboot)"},
      {TSS2_TCTI_RC_IO_ERROR, RetryClass::kCommunication,
       absl::StatusCode::kUnavailable,
       "Esys_Quote: tcti:IO failure (rc=0xa000a, retry: communication)"},
      {TPM2_RC_FAILURE, RetryClass::kNone, absl::StatusCode::kInternal,
       "Esys_Quote: tpm:error(2.0): commands not being accepted because of a "
       "TPM failure (rc=0x101, retry: none)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    EXPECT_EQ(ClassifyRc(c.rc), c.retry);
    absl::Status s = TssError("Esys_Quote", c.rc);
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.message(), c.message);
    EXPECT_THAT(TssRcFromStatus(s), Optional(c.rc));
    auto raw = s.GetPayload(kTssRcPayloadUrl);
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(std::string(*raw),
              std::string(
                  {static_cast<char>(c.rc >> 24), static_cast<char>(c.rc >> 16),
                   static_cast<char>(c.rc >> 8), static_cast<char>(c.rc)}));
  }
}

TEST(TssErrorTest, SuccessIsOk) {
  EXPECT_TRUE(TssError("Esys_Quote", TSS2_RC_SUCCESS).ok());
  EXPECT_EQ(ClassifyRc(TSS2_RC_SUCCESS), RetryClass::kNone);
}

TEST(ClassifyRcTest, OtherRetryableTpmCodes) {
  EXPECT_EQ(ClassifyRc(TPM2_RC_NV_RATE), RetryClass::kLater);
  EXPECT_EQ(ClassifyRc(TPM2_RC_YIELDED), RetryClass::kLater);
  EXPECT_EQ(ClassifyRc(TPM2_RC_TESTING), RetryClass::kLater);
  EXPECT_EQ(ClassifyRc(TPM2_RC_REBOOT), RetryClass::kReboot);
}

TEST(ClassifyRcTest, LayerBitsAreStripped) {
  // The same TPM code relayed by a resource manager (tabrmd).
  EXPECT_EQ(ClassifyRc(TSS2_RESMGR_TPM_RC_LAYER | TPM2_RC_RETRY),
            RetryClass::kLater);
  EXPECT_EQ(ClassifyRc(TSS2_RESMGR_TPM_RC_LAYER | TPM2_RC_LOCKOUT),
            RetryClass::kDefend);
  EXPECT_EQ(ClassifyRc(TSS2_TCTI_RC_NO_CONNECTION), RetryClass::kCommunication);
  EXPECT_EQ(ClassifyRc(TSS2_TCTI_RC_TRY_AGAIN), RetryClass::kCommunication);
}

TEST(ClassifyRcTest, SameBaseCodeInOtherLayersIsNotCommunication) {
  // IO_ERROR from ESAPI or MU is not a TCTI transport failure.
  EXPECT_EQ(ClassifyRc(TSS2_ESAPI_RC_LAYER | TSS2_BASE_RC_IO_ERROR),
            RetryClass::kNone);
  EXPECT_EQ(ClassifyRc(TSS2_MU_RC_LAYER | TSS2_BASE_RC_IO_ERROR),
            RetryClass::kNone);
  // A TPM-layer code numerically equal to a TCTI base code is not either.
  EXPECT_EQ(ClassifyRc(TSS2_BASE_RC_IO_ERROR), RetryClass::kNone);
}

TEST(ClassifyRcTest, FormatOneCodesAreNotRetryable) {
  // tpm:parameter(1):integrity check failed -- a wrong AK name, not busy.
  EXPECT_EQ(ClassifyRc(TPM2_RC_INTEGRITY + TPM2_RC_P + TPM2_RC_1),
            RetryClass::kNone);
  EXPECT_EQ(TssError("Esys_ActivateCredential", 0x1df).code(),
            absl::StatusCode::kInternal);
}

TEST(TssRcFromStatusTest, AbsentOrMalformedPayload) {
  EXPECT_EQ(TssRcFromStatus(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(TssRcFromStatus(absl::InternalError("x")), std::nullopt);
  absl::Status s = absl::InternalError("x");
  s.SetPayload(kTssRcPayloadUrl, absl::Cord("abc"));
  EXPECT_EQ(TssRcFromStatus(s), std::nullopt);
}

absl::Status WithContext() {
  ABSL_RETURN_IF_ERROR(TssError("Esys_NV_Read", TPM2_RC_NV_RATE))
      << "reading the EK certificate";
  return absl::OkStatus();
}

TEST(TssRcFromStatusTest, SurvivesAddedContext) {
  absl::Status s = WithContext();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()),
              ::testing::EndsWith("retry: later); reading the EK certificate"));
  EXPECT_THAT(TssRcFromStatus(s), Optional(TSS2_RC{TPM2_RC_NV_RATE}));
}

TEST(RetryClassNameTest, Names) {
  EXPECT_EQ(RetryClassName(RetryClass::kNone), "none");
  EXPECT_EQ(RetryClassName(RetryClass::kLater), "later");
  EXPECT_EQ(RetryClassName(RetryClass::kCommunication), "communication");
  EXPECT_EQ(RetryClassName(RetryClass::kReboot), "reboot");
  EXPECT_EQ(RetryClassName(RetryClass::kDefend), "defend");
}

}  // namespace
}  // namespace candor::tpm
