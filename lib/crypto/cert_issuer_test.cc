#include "lib/crypto/cert_issuer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509.h"

namespace candor::crypto {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

CertificateSpec Spec(const std::string& cn) {
  CertificateSpec s;
  s.common_name = cn;
  return s;
}

TEST(CertIssuerTest, CaIssuesLeafThatVerifies) {
  auto ca_key = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(ca_key.ok());
  CertificateSpec ca_spec = Spec("Candor CA");
  ca_spec.is_ca = true;
  auto ca = IssueCertificate(ca_spec, ca_key->get(), nullptr, nullptr);
  ASSERT_TRUE(ca.ok()) << ca.status();
  auto key = GenerateKey(KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok());
  CertificateSpec spec = Spec("candor-tenant");
  spec.organizational_unit = "admin";
  spec.client_auth = true;
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  auto leaf = IssueCertificate(spec, key->get(), ca->get(), ca_key->get());
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  X509* anchors[] = {ca->get()};
  auto store = CaStore::FromCertificates(anchors, "test CA");
  ASSERT_TRUE(store.ok()) << store.status();
  auto chain = store->Verify(leaf->get());
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_THAT(OrganizationalUnits(leaf->get()), ElementsAre("admin"));
  EXPECT_THAT(SubjectString(leaf->get()), HasSubstr("CN=candor-tenant"));
  auto pub = CertificatePublicKey(leaf->get());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(PublicKeysEqual(pub->get(), key->get()));
}

TEST(CertIssuerTest, PrivateKeyPemRoundTrip) {
  auto key = GenerateKey(KeyAlgorithm::kEcP384);
  ASSERT_TRUE(key.ok());
  auto pem = PrivateKeyToPem(key->get());
  ASSERT_TRUE(pem.ok());
  EXPECT_THAT(std::string(pem->view()), HasSubstr("BEGIN PRIVATE KEY"));
  auto back = PrivateKeyFromPem(pem->view());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(PublicKeysEqual(back->get(), key->get()));
  EXPECT_EQ(PrivateKeyFromPem("not a key").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CertIssuerTest, BadInputs) {
  auto key = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  CertificateSpec spec = Spec("x");
  spec.ip_addresses = {"300.1.1.1"};
  EXPECT_EQ(IssueCertificate(spec, key->get(), nullptr, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueCertificate(CertificateSpec{}, key->get(), nullptr, nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::crypto
