#include "tools/bootlog/uefi_certs.h"

#include <openssl/x509.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/x509.h"

namespace candor::tools {
namespace {

using ::testing::HasSubstr;

TEST(UefiCertsTest, DeterministicPerSeedAndChained) {
  auto a = MakeUefiCertificates("s1");
  auto b = MakeUefiCertificates("s1");
  auto c = MakeUefiCertificates("s2");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status();
  EXPECT_EQ(a->pk, b->pk);
  EXPECT_EQ(a->db, b->db);
  EXPECT_EQ(a->shim_vendor, b->shim_vendor);
  EXPECT_NE(a->pk, c->pk);
  EXPECT_NE(a->db, c->db);

  auto pk = crypto::ParseCertificate(a->pk);
  auto kek = crypto::ParseCertificate(a->kek);
  auto db = crypto::ParseCertificate(a->db);
  auto vendor = crypto::ParseCertificate(a->shim_vendor);
  ASSERT_TRUE(pk.ok() && kek.ok() && db.ok() && vendor.ok());
  EXPECT_THAT(crypto::SubjectString(pk->get()), HasSubstr("Platform Key"));
  EXPECT_THAT(crypto::IssuerString(db->get()), HasSubstr("KEK CA"));
  // Each is signed by its issuer's key.
  EXPECT_EQ(X509_verify(pk->get(), X509_get0_pubkey(pk->get())), 1);
  EXPECT_EQ(X509_verify(kek->get(), X509_get0_pubkey(pk->get())), 1);
  EXPECT_EQ(X509_verify(db->get(), X509_get0_pubkey(kek->get())), 1);
  EXPECT_EQ(X509_verify(vendor->get(), X509_get0_pubkey(db->get())), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(db->get())), 2048);
}

}  // namespace
}  // namespace candor::tools
