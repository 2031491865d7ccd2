// lib/tpm against a real, provisioned swtpm: the EK certificates read from NV
// (chunked) equal the ones swtpm_setup wrote, chain to the swtpm CA through
// lib/crypto, and carry the same key as the EK's TPM2B_PUBLIC, whose computed
// name equals the TPM's own.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"
#include "lib/tpm/esys_context.h"
#include "lib/tpm/nv.h"
#include "lib/tpm/public_key.h"
#include "tests/harness/resources.h"
#include "tests/harness/swtpm.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SwtpmEkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto tpm = testing::Swtpm::Start();
    start_status_ = new absl::Status(tpm.status());
    if (tpm.ok()) tpm_ = tpm->release();
  }
  static void TearDownTestSuite() {
    delete tpm_;
    tpm_ = nullptr;
    delete start_status_;
  }
  void SetUp() override {
    CANDOR_REQUIRE_RESOURCE(*start_status_);
    auto ctx = tpm::EsysContext::Open(tpm_->tcti());
    ASSERT_TRUE(ctx.ok()) << ctx.status();
    ctx_ = std::move(*ctx);
  }

  static testing::Swtpm* tpm_;
  static absl::Status* start_status_;
  std::unique_ptr<tpm::EsysContext> ctx_;
};
testing::Swtpm* SwtpmEkTest::tpm_ = nullptr;
absl::Status* SwtpmEkTest::start_status_ = nullptr;

TEST_F(SwtpmEkTest, EkCertificatesFromNvMatchSwtpmSetupAndChainToItsCa) {
  auto ca_dir = testing::Swtpm::EkCaDir();
  ASSERT_TRUE(ca_dir.ok()) << ca_dir.status();
  auto store = crypto::CaStore::LoadDirectory(*ca_dir);
  ASSERT_TRUE(store.ok()) << store.status();
  struct Case {
    tpm::EkType type;
    std::string file;
  } cases[] = {{tpm::EkType::kRsa, tpm_->ek_cert_path_rsa()},
               {tpm::EkType::kEcc, tpm_->ek_cert_path_ecc()}};
  for (const Case& c : cases) {
    auto der = tpm::ReadEkCertificate(*ctx_, c.type);
    ASSERT_TRUE(der.ok()) << der.status();
    EXPECT_EQ(*der, ReadFile(c.file)) << c.file;
    auto cert = crypto::ParseCertificate(*der);
    ASSERT_TRUE(cert.ok()) << cert.status();
    auto chain = store->Verify(cert->get());
    ASSERT_TRUE(chain.ok()) << chain.status();
    EXPECT_THAT(chain->anchor_subject, HasSubstr("swtpm-localca-rootca"));
  }
}

TEST_F(SwtpmEkTest, EkPublicBecomesTheCertificatesKeyWithTheTpmsName) {
  struct Case {
    TPM2_HANDLE handle;
    tpm::EkType type;
  } cases[] = {{tpm::kEkHandleRsa, tpm::EkType::kRsa},
               {tpm::kEkHandleEcc, tpm::EkType::kEcc}};
  for (const Case& c : cases) {
    auto obj = tpm::ReadPersistentPublic(*ctx_, c.handle);
    ASSERT_TRUE(obj.ok()) << obj.status();
    auto pub = tpm::ParseTpm2bPublic(obj->public_area);
    ASSERT_TRUE(pub.ok()) << pub.status();
    auto name = tpm::ComputeName(pub->publicArea);
    ASSERT_TRUE(name.ok()) << name.status();
    EXPECT_EQ(*name, obj->name) << "handle " << c.handle;
    auto key = tpm::PublicToEvpPkey(pub->publicArea);
    ASSERT_TRUE(key.ok()) << key.status();
    auto der = tpm::ReadEkCertificate(*ctx_, c.type);
    ASSERT_TRUE(der.ok());
    auto cert = crypto::ParseCertificate(*der);
    ASSERT_TRUE(cert.ok());
    auto cert_key = crypto::CertificatePublicKey(cert->get());
    ASSERT_TRUE(cert_key.ok());
    EXPECT_TRUE(crypto::PublicKeysEqual(key->get(), cert_key->get()));
  }
}

TEST_F(SwtpmEkTest, CertificateFromAnotherCaIsRefused) {
  // A CA directory holding an unrelated root: the EK certificate must not
  // verify against it.
  std::string dir = testing::TestTmpRoot() + "/other-ca";
  std::filesystem::create_directories(dir);
  auto other = crypto::test_certs::MakeChain("Other Vendor", false);
  ASSERT_TRUE(other.ok()) << other.status();
  auto pem = crypto::CertificateToPem(other->root.get());
  ASSERT_TRUE(pem.ok());
  ASSERT_TRUE(crypto::test_certs::WriteFile(dir + "/root.pem", *pem).ok());
  auto store = crypto::CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  auto der = tpm::ReadEkCertificate(*ctx_, tpm::EkType::kRsa);
  ASSERT_TRUE(der.ok());
  auto cert = crypto::ParseCertificate(*der);
  ASSERT_TRUE(cert.ok());
  auto chain = store->Verify(cert->get());
  EXPECT_EQ(chain.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(chain.status().message()), HasSubstr(dir));
}

TEST(SwtpmWithoutCertsTest, MissingEkCertificateIsNotFound) {
  testing::SwtpmOptions opts;
  opts.ek_certificates = false;
  auto tpm = testing::Swtpm::Start(opts);
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto ctx = tpm::EsysContext::Open((*tpm)->tcti());
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  auto der = tpm::ReadEkCertificate(**ctx, tpm::EkType::kRsa);
  EXPECT_EQ(der.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(der.status().message()), HasSubstr("0x01c00002"));
  // The EK itself exists.
  EXPECT_TRUE(tpm::ReadPersistentPublic(**ctx, tpm::kEkHandleRsa).ok());
}

TEST(SwtpmUnprovisionedTest, NoEkHandle) {
  testing::SwtpmOptions opts;
  opts.provision = false;
  auto tpm = testing::Swtpm::Start(opts);
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto ctx = tpm::EsysContext::Open((*tpm)->tcti());
  ASSERT_TRUE(ctx.ok()) << ctx.status();
  auto obj = tpm::ReadPersistentPublic(**ctx, tpm::kEkHandleRsa);
  EXPECT_EQ(obj.status().code(), absl::StatusCode::kNotFound);
}

TEST(EsysContextTest, UnreachableTpmIsUnavailableAndNamed) {
  auto ctx = tpm::EsysContext::Open("swtpm:host=127.0.0.1,port=1");
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), absl::StatusCode::kUnavailable)
      << ctx.status();
  EXPECT_THAT(std::string(ctx.status().message()), HasSubstr("port=1"));
}

}  // namespace
}  // namespace candor
