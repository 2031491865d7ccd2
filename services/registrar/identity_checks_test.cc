// Every syntax and shape refusal of Register's inputs, with the field and the
// reason in the message.
#include "services/registrar/identity_checks.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"
#include "services/registrar/testing/tpm_keys.h"

namespace candor::registrar {
namespace {

using ::testing::HasSubstr;

void ExpectInvalid(const absl::Status& s, const std::string& needle) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(needle));
}

TEST(AgentIdTest, AcceptsUuidsHashesAndNames) {
  for (const char* id :
       {"a", "0", "d432fbb3-d2f1-4a97-9ef7-75bd81c00000", "node-7.rack.dc1",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}) {
    EXPECT_TRUE(CheckAgentIdSyntax(id).ok()) << id;
  }
}

TEST(AgentIdTest, RefusesBadSyntaxNamingTheProblem) {
  ExpectInvalid(CheckAgentIdSyntax(""), "agent_id: agent id is empty");
  ExpectInvalid(CheckAgentIdSyntax(std::string(65, 'a')), "65 characters long");
  ExpectInvalid(CheckAgentIdSyntax("Node1"), "at position 0");
  ExpectInvalid(CheckAgentIdSyntax("a_b"), "at position 1");
  ExpectInvalid(CheckAgentIdSyntax("a\nb"), "'a\\nb'");
  ExpectInvalid(CheckAgentIdSyntax("-ab"), "start and end");
  ExpectInvalid(CheckAgentIdSyntax("ab."), "start and end");
  ExpectInvalid(CheckAgentIdSyntax("a b", "identity.agent_id"),
                "identity.agent_id");
}

TEST(AgentIdTest, AHexIdMustBeTheEksHash) {
  const std::string ek = "\x00\x04test";
  const std::string hash = EkHash(ek);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_TRUE(IsEkDerivedIdForm(hash));
  EXPECT_TRUE(CheckIdMatchesEk(hash, ek).ok());
  std::string other = hash;
  other[0] = other[0] == 'a' ? 'b' : 'a';
  ExpectInvalid(CheckIdMatchesEk(other, ek), "is not the SHA-256 of ek_public");
  // Not of the hash form: no constraint.
  EXPECT_TRUE(CheckIdMatchesEk("my-node", ek).ok());
  EXPECT_FALSE(IsEkDerivedIdForm(std::string(63, 'a')));
  EXPECT_FALSE(IsEkDerivedIdForm(std::string(64, 'g')));
}

TEST(AkTest, AcceptsRealAttestationKeys) {
  for (auto kind : {testing::AkKind::kRsa2048, testing::AkKind::kEccP256}) {
    auto ak = testing::MakeAk(kind);
    ASSERT_TRUE(ak.ok());
    EXPECT_TRUE(CheckAkPublic(ak->pub.publicArea).ok());
  }
}

TEST(AkTest, NamesTheMissingAttributeOrBadParameter) {
  auto ak = testing::MakeAk(testing::AkKind::kEccP256);
  ASSERT_TRUE(ak.ok());
  const TPMT_PUBLIC good = ak->pub.publicArea;
  struct Case {
    TPMA_OBJECT clear;
    const char* name;
  } cases[] = {
      {TPMA_OBJECT_FIXEDTPM, "fixedTPM"},
      {TPMA_OBJECT_FIXEDPARENT, "fixedParent"},
      {TPMA_OBJECT_SENSITIVEDATAORIGIN, "sensitiveDataOrigin"},
      {TPMA_OBJECT_RESTRICTED, "restricted"},
      {TPMA_OBJECT_SIGN_ENCRYPT, "sign"},
      {TPMA_OBJECT_USERWITHAUTH, "userWithAuth"},
  };
  for (const Case& c : cases) {
    TPMT_PUBLIC p = good;
    p.objectAttributes &= ~c.clear;
    ExpectInvalid(CheckAkPublic(p), absl::StrCat("lacks the ", c.name));
  }
  TPMT_PUBLIC p = good;
  p.objectAttributes |= TPMA_OBJECT_DECRYPT;
  ExpectInvalid(CheckAkPublic(p), "decrypt");
  p = good;
  p.nameAlg = TPM2_ALG_SHA1;
  ExpectInvalid(CheckAkPublic(p), "nameAlg TPM2_ALG_SHA1");
  p = good;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  ExpectInvalid(CheckAkPublic(p), "signing scheme TPM2_ALG_NULL");
  p = good;
  p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDAA;
  ExpectInvalid(CheckAkPublic(p), "signing scheme TPM2_ALG_ECDAA");
  p = good;
  p.parameters.eccDetail.scheme.details.anySig.hashAlg = TPM2_ALG_SHA1;
  ExpectInvalid(CheckAkPublic(p), "hash TPM2_ALG_SHA1");
  p = good;
  p.type = TPM2_ALG_KEYEDHASH;
  ExpectInvalid(CheckAkPublic(p), "neither RSA nor ECC");
  p = good;
  p.unique.ecc.y.buffer[3] ^= 1;
  ExpectInvalid(CheckAkPublic(p), "ak_public");

  auto rsa = testing::MakeAk(testing::AkKind::kRsa2048);
  ASSERT_TRUE(rsa.ok());
  p = rsa->pub.publicArea;
  p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_ECDSA;
  ExpectInvalid(CheckAkPublic(p), "RSASSA or RSAPSS");
  p = rsa->pub.publicArea;
  p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSAPSS;
  EXPECT_TRUE(CheckAkPublic(p).ok());
}

TEST(AddressTest, AcceptsHostPortForms) {
  for (const char* a : {"127.0.0.1:9002", "node-1.example.com:1", "[::1]:9002",
                        "[2001:db8::5]:65535", "localhost:9002"}) {
    EXPECT_TRUE(CheckAddress(a).ok()) << a;
  }
}

TEST(AddressTest, RefusesWhatIsNotHostPort) {
  ExpectInvalid(CheckAddress(""), "no port");
  ExpectInvalid(CheckAddress("host"), "no port");
  ExpectInvalid(CheckAddress("host:0"), "1 to 65535");
  ExpectInvalid(CheckAddress("host:65536"), "1 to 65535");
  ExpectInvalid(CheckAddress("host:+80"), "1 to 65535");
  ExpectInvalid(CheckAddress(":80"), "the host is empty");
  ExpectInvalid(CheckAddress("::1:80"), "brackets");
  ExpectInvalid(CheckAddress("[::1:80"), "bracket");
  ExpectInvalid(CheckAddress("[nope]:80"), "IPv6");
  ExpectInvalid(CheckAddress("300.1.1.1:80"), "IPv4");
  ExpectInvalid(CheckAddress("a_b.example:80"), "DNS name");
  ExpectInvalid(CheckAddress("-a.example:80"), "DNS name");
}

TEST(TransportKeyTest, OnlyRsa2048With65537) {
  auto good = testing::MakeTransportKeyDer();
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(CheckTransportKey(*good).ok());
  ExpectInvalid(CheckTransportKey("junk"), "not a DER SubjectPublicKeyInfo");
  auto ec = crypto::test_certs::MakeKey(crypto::test_certs::KeyType::kEcP256);
  ASSERT_TRUE(ec.ok());
  ExpectInvalid(CheckTransportKey(*crypto::PublicKeyToDer(ec->get())),
                "must be RSA-2048");
  crypto::OsslPtr<EVP_PKEY> rsa3(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}));
  ASSERT_NE(rsa3, nullptr);
  ExpectInvalid(CheckTransportKey(*crypto::PublicKeyToDer(rsa3.get())),
                "3072-bit");
}

TEST(TlsCertificateTest, NeedsASanEqualToTheAgentId) {
  auto cert = testing::MakeTlsCertificateDer("node-1");
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(CheckTlsCertificate(*cert, "node-1").ok());
  ExpectInvalid(CheckTlsCertificate(*cert, "node-2"),
                "no subjectAltName dNSName equal to the agent id node-2 (it "
                "has \"node-1\")");
  ExpectInvalid(CheckTlsCertificate("junk", "node-1"), "tls_certificate");
  auto pem = crypto::CertificateToPem(crypto::ParseCertificate(*cert)->get());
  ExpectInvalid(CheckTlsCertificate(*pem, "node-1"), "PEM");
}

}  // namespace
}  // namespace candor::registrar
