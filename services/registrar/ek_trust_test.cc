// EK trust decisions: certificate chain to the configured CA directory, the
// allowlist for TPMs without (or with unverifiable) certificates, and the
// refusals with their codes and what they name.
#include "services/registrar/ek_trust.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"
#include "services/registrar/identity_checks.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "services/registrar/testing/tpm_keys.h"

namespace candor::registrar {
namespace {

using testing::EkKind;
using ::testing::HasSubstr;
namespace tc = crypto::test_certs;

class EkTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = testing::MakeTestEkCa("Trusted Vendor");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::move(*ca);
    auto other = testing::MakeTestEkCa("Unknown Vendor");
    ASSERT_TRUE(other.ok());
    other_ = std::move(*other);
    auto ek = testing::MakeEk(EkKind::kEccP256);
    ASSERT_TRUE(ek.ok());
    ek_ = std::move(*ek);
  }
  EkTrust Load(const std::string& allowlist_text, bool any = false) {
    std::string path;
    if (!allowlist_text.empty()) {
      path = tc::NewTempDir("allowlist") + "/ek.allow";
      EXPECT_TRUE(tc::WriteFile(path, allowlist_text).ok());
    }
    auto trust = EkTrust::Load({ca_.dir, path, any});
    EXPECT_TRUE(trust.ok()) << trust.status();
    return std::move(*trust);
  }
  std::string Cert(const testing::TestEkCa& ca) {
    auto der = testing::IssueEkCertificate(ca, ek_.key.get());
    EXPECT_TRUE(der.ok());
    return *der;
  }
  absl::StatusOr<EkTrust::Verdict> Check(const EkTrust& t,
                                         const std::string& cert) {
    return t.Check(ek_.pub.publicArea, ek_.marshalled, cert);
  }

  testing::TestEkCa ca_, other_;
  testing::SoftwareKey ek_;
};

TEST_F(EkTrustTest, ACertificateChainingToTheCaDirectoryIsTrustedAsItsRoot) {
  auto v = Check(Load(""), Cert(ca_));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->ek_trust, "CN=Trusted Vendor Root CA,O=Candor Test");
  EXPECT_EQ(v->note, "");
}

TEST_F(EkTrustTest, ACertificateFromAnotherCaIsDeniedNamingIssuerAndDirectory) {
  auto v = Check(Load(""), Cert(other_));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  const std::string msg(v.status().message());
  EXPECT_THAT(msg, HasSubstr("issued by CN=Unknown Vendor Intermediate CA"));
  EXPECT_THAT(msg, HasSubstr(ca_.dir));
  EXPECT_THAT(msg, HasSubstr("no EK allowlist is configured"));
}

TEST_F(EkTrustTest,
       TheAllowlistAdmitsEksWithoutOrWithUnverifiableCertificates) {
  const std::string hash = EkHash(ek_.marshalled);
  EkTrust t = Load(absl::StrCat("# lab TPMs\n\n", absl::AsciiStrToUpper(hash),
                                "  # node 7\n"));
  auto v = Check(t, "");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->ek_trust, "allowlist");
  v = Check(t, Cert(other_));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->ek_trust, "allowlist");
  // A chaining certificate still reports its root.
  EXPECT_EQ(Check(t, Cert(ca_))->ek_trust,
            "CN=Trusted Vendor Root CA,O=Candor Test");
}

TEST_F(EkTrustTest, NoCertificateAndNotAllowlistedIsDenied) {
  auto v = Check(Load(std::string(64, 'a') + "\n"), "");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr(absl::StrCat("no EK certificate was sent and the EK "
                                     "(sha256 ",
                                     EkHash(ek_.marshalled),
                                     ") is not on the EK allowlist")));
  v = Check(Load(""), "");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("no EK allowlist is configured"));
}

TEST_F(EkTrustTest, ACertificateForAnotherKeyIsInvalidEvenWhenAllowlisted) {
  auto other_ek = testing::MakeEk(EkKind::kEccP256);
  ASSERT_TRUE(other_ek.ok());
  auto cert = testing::IssueEkCertificate(ca_, other_ek->key.get());
  ASSERT_TRUE(cert.ok());
  EkTrust t = Load(EkHash(ek_.marshalled) + "\n");
  auto v = Check(t, *cert);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("certifies another key than ek_public"));
  EXPECT_EQ(Check(t, "junk").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(EkTrustTest, AcceptAnyEkSaysUnverified) {
  EkTrust t = Load("", /*any=*/true);
  EXPECT_EQ(Check(t, "")->ek_trust, "unverified");
  EXPECT_EQ(Check(t, Cert(other_))->ek_trust, "unverified");
  EXPECT_THAT(t.Describe(), HasSubstr("DISABLED"));
}

TEST_F(EkTrustTest, NoCaDirectoryRefusesCertificatesUnlessAllowlisted) {
  auto t = EkTrust::Load({"", "", false});
  ASSERT_TRUE(t.ok());
  auto v = t->Check(ek_.pub.publicArea, ek_.marshalled, Cert(ca_));
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("no EK CA directory is configured"));
}

TEST(EkAllowlistTest, ParsesCommentsAndNamesTheBadLine) {
  auto list =
      ParseEkAllowlist(absl::StrCat("# comment\n", std::string(64, 'A'),
                                    "\n\n  ", std::string(64, 'b'), " # x\n"),
                       "allow.txt");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(list->contains(std::string(64, 'a')));
  auto bad = ParseEkAllowlist(absl::StrCat(std::string(64, 'a'), "\n", "xyz\n"),
                              "allow.txt");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("allow.txt line 2"));
}

TEST(EkTrustLoadTest, ReportsUnreadableInputs) {
  EXPECT_EQ(EkTrust::Load({"/nonexistent/ca", "", false}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(EkTrust::Load({"", "/nonexistent/allow", false}).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::registrar
