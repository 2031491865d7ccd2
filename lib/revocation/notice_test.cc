#include "lib/revocation/notice.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/x509.h"
#include "lib/pki/pki.h"

namespace candor::revocation {
namespace {

using ::testing::HasSubstr;

std::string TmpDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp ? tmp : "/tmp", "/", name);
}

v1::RevocationMessage Message() {
  v1::RevocationMessage m;
  m.set_agent_id("failed-agent");
  m.set_event_cursor("cursor-42");
  m.set_address("10.0.0.7:9002");
  m.set_severity(v1::SEVERITY_CRITICAL);
  *m.mutable_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1e9);
  m.add_failures()->set_id("ima.not_in_policy");
  return m;
}

class NoticeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* d : {"pki", "other_pki"}) {
      pki::InitOptions options;
      options.dir = TmpDir(d);
      options.overwrite = true;
      ASSERT_TRUE(pki::InitPki(options).ok());
    }
  }
  void SetUp() override {
    auto ca = LoadCaBundle(pki::CertPath(TmpDir("pki"), "ca"));
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_.emplace(std::move(*ca));
  }
  RevocationSigner Signer(const std::string& dir, const std::string& name) {
    auto s = LoadRevocationSigner(pki::CertPath(TmpDir(dir), name),
                                  pki::KeyPath(TmpDir(dir), name));
    EXPECT_TRUE(s.ok()) << s.status();
    return std::move(*s);
  }
  // A certificate issued by the test CA for a fresh key.
  RevocationSigner Issue(crypto::KeyAlgorithm alg, const std::string& ou,
                         absl::Duration validity = absl::Hours(24)) {
    const std::string dir = TmpDir("pki");
    auto ca_cert =
        crypto::ParseCertificate(*ReadFile(pki::CertPath(dir, "ca")));
    auto ca_key = crypto::PrivateKeyFromPem(*ReadFile(pki::KeyPath(dir, "ca")));
    EXPECT_TRUE(ca_cert.ok() && ca_key.ok());
    RevocationSigner signer;
    signer.key = std::move(*crypto::GenerateKey(alg));
    crypto::CertificateSpec spec;
    spec.common_name = "test-signer";
    spec.organizational_unit = ou;
    spec.validity = validity;
    auto cert = crypto::IssueCertificate(spec, signer.key.get(), ca_cert->get(),
                                         ca_key->get());
    EXPECT_TRUE(cert.ok()) << cert.status();
    signer.cert_der = *crypto::CertificateToDer(cert->get());
    return signer;
  }
  std::optional<crypto::CaStore> ca_;
};

TEST_F(NoticeTest, GoodEcNoticeVerifies) {
  auto notice = SignNotice(Message(), Signer("pki", "revocation"));
  ASSERT_TRUE(notice.ok()) << notice.status();
  auto m = VerifyNotice(*notice, *ca_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->agent_id(), "failed-agent");
  EXPECT_EQ(m->event_cursor(), "cursor-42");
  EXPECT_EQ(m->failures(0).id(), "ima.not_in_policy");
}

TEST_F(NoticeTest, GoodRsaPssNoticeVerifies) {
  RevocationSigner rsa = Issue(crypto::KeyAlgorithm::kRsa2048, "revocation");
  auto notice = SignNotice(Message(), rsa);
  ASSERT_TRUE(notice.ok()) << notice.status();
  EXPECT_EQ(notice->signature().size(), 256u);
  auto m = VerifyNotice(*notice, *ca_);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->address(), "10.0.0.7:9002");
}

TEST_F(NoticeTest, TamperedMessageIsPermissionDenied) {
  auto notice = SignNotice(Message(), Signer("pki", "revocation"));
  ASSERT_TRUE(notice.ok());
  std::string* msg = notice->mutable_message();
  (*msg)[msg->size() - 1] ^= 1;
  auto m = VerifyNotice(*notice, *ca_);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(m.status().message(), HasSubstr("does not verify"));
}

TEST_F(NoticeTest, VerifierCertificateIsNotARevocationSigner) {
  auto notice = SignNotice(Message(), Signer("pki", "verifier"));
  ASSERT_TRUE(notice.ok());
  auto m = VerifyNotice(*notice, *ca_);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(m.status().message(), HasSubstr("OU=revocation"));
}

TEST_F(NoticeTest, OtherCaIsPermissionDenied) {
  auto notice = SignNotice(Message(), Signer("other_pki", "revocation"));
  ASSERT_TRUE(notice.ok());
  auto m = VerifyNotice(*notice, *ca_);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(m.status().message(), HasSubstr("signer_certificate"));
}

TEST_F(NoticeTest, ExpiredSignerIsPermissionDenied) {
  RevocationSigner old =
      Issue(crypto::KeyAlgorithm::kEcP256, "revocation", -absl::Minutes(10));
  auto notice = SignNotice(Message(), old);
  ASSERT_TRUE(notice.ok());
  EXPECT_EQ(VerifyNotice(*notice, *ca_).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(NoticeTest, SwappedSignerCertificateIsPermissionDenied) {
  // Signed with one revocation key, presented with another valid revocation
  // certificate.
  auto notice = SignNotice(Message(), Signer("pki", "revocation"));
  ASSERT_TRUE(notice.ok());
  notice->set_signer_certificate(
      Issue(crypto::KeyAlgorithm::kEcP256, "revocation").cert_der);
  EXPECT_EQ(VerifyNotice(*notice, *ca_).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(NoticeTest, GarbageAndMissingFields) {
  v1::RevocationNotice empty;
  EXPECT_EQ(VerifyNotice(empty, *ca_).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::RevocationNotice garbage;
  garbage.set_message("\xff\xff garbage");
  garbage.set_signature("sig");
  garbage.set_signer_certificate("not a certificate");
  auto m = VerifyNotice(garbage, *ca_);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("signer_certificate"));

  // Validly signed garbage message bytes: INVALID_ARGUMENT after the
  // signature check.
  RevocationSigner signer = Signer("pki", "revocation");
  auto notice = SignNotice(Message(), signer);
  ASSERT_TRUE(notice.ok());
  v1::RevocationMessage no_cursor = Message();
  no_cursor.clear_event_cursor();
  auto bad = SignNotice(no_cursor, signer);
  ASSERT_TRUE(bad.ok());
  m = VerifyNotice(*bad, *ca_);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("event_cursor"));
}

TEST_F(NoticeTest, LoaderNamesTheFile) {
  auto s = LoadRevocationSigner("/nonexistent/revocation.crt",
                                pki::KeyPath(TmpDir("pki"), "revocation"));
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("/nonexistent/revocation.crt"));
  // Mismatched key and certificate.
  s = LoadRevocationSigner(pki::CertPath(TmpDir("pki"), "revocation"),
                           pki::KeyPath(TmpDir("pki"), "verifier"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("does not match"));
}

}  // namespace
}  // namespace candor::revocation
