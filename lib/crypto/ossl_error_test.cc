#include "lib/crypto/ossl_error.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Provokes a real OpenSSL failure that leaves errors on the queue.
void FailToParseCertificate() {
  const unsigned char garbage[] = {0x30, 0x03, 0x02, 0x01};
  const unsigned char* p = garbage;
  X509* x = d2i_X509(nullptr, &p, sizeof(garbage));
  ASSERT_EQ(x, nullptr);
  ASSERT_NE(ERR_peek_error(), 0u);
}

TEST(DrainSslErrorsTest, EmptyQueueGivesEmptyString) {
  ERR_clear_error();
  EXPECT_EQ(DrainSslErrors(), "");
}

TEST(DrainSslErrorsTest, DrainsAndClearsTheQueue) {
  FailToParseCertificate();
  std::string errors = DrainSslErrors();
  EXPECT_THAT(errors, HasSubstr("asn1 encoding routines:"));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(DrainSslErrors(), "");
}

TEST(SslErrorTest, NamesTheCallAndKeepsTheCode) {
  FailToParseCertificate();
  absl::Status s = SslError(absl::StatusCode::kInvalidArgument, "d2i_X509");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              StartsWith("d2i_X509: asn1 encoding routines:"));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(SslErrorTest, EmptyQueueStillFails) {
  ERR_clear_error();
  absl::Status s = SslError(absl::StatusCode::kInternal, "EVP_MD_CTX_new");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "EVP_MD_CTX_new: failed (no OpenSSL error reported)");
}

TEST(SslErrorTest, OkCodeBecomesInternal) {
  ERR_clear_error();
  EXPECT_EQ(SslError(absl::StatusCode::kOk, "x").code(),
            absl::StatusCode::kInternal);
}

TEST(SslErrorTest, ErrorsDoNotLeakIntoTheNextCall) {
  FailToParseCertificate();
  (void)SslError(absl::StatusCode::kInternal, "first");
  ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_ALGORITHM);
  absl::Status s = SslError(absl::StatusCode::kInternal, "second");
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("asn1")));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("digital envelope routines:"));
}

}  // namespace
}  // namespace candor::crypto
