// EK certificates as TPMs hold them: strict DER, NV padding after the
// certificate, and BER that is not DER (Keylime KL#1775) whose signature must
// still verify over the bytes as sent.
#include "services/registrar/ek_certificate.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"

namespace candor::registrar {
namespace {

using ::testing::HasSubstr;
namespace tc = crypto::test_certs;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SwtpmCert() { return ReadFile("lib/tpm/testdata/ek_rsa_cert.der"); }

crypto::CaStore SwtpmCa() {
  auto store = crypto::CaStore::LoadDirectory("lib/tpm/testdata/swtpm_ca");
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(*store);
}

// DER TLV with the minimal length encoding.
std::string Tlv(char tag, const std::string& content) {
  std::string out(1, tag);
  const size_t n = content.size();
  if (n < 128) {
    out.push_back(static_cast<char>(n));
  } else if (n < 256) {
    out += "\x81";
    out.push_back(static_cast<char>(n));
  } else {
    out += "\x82";
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  }
  return out + content;
}

TEST(EkCertificateTest, StrictDerParsesWithoutNotes) {
  const std::string der = SwtpmCert();
  ASSERT_EQ(der.size(), 1016u);
  auto parsed = ParseEkCertificate(der);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->leniency, "");
  EXPECT_TRUE(SwtpmCa().Verify(parsed->cert.get()).ok());
}

TEST(EkCertificateTest, NvPaddingAfterTheCertificateIsIgnored) {
  for (char pad : {'\x00', '\xff'}) {
    auto parsed = ParseEkCertificate(SwtpmCert() + std::string(8, pad));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_THAT(parsed->leniency,
                HasSubstr(pad == 0 ? "8 bytes of 0x00 padding"
                                   : "8 bytes of 0xff padding"));
    EXPECT_TRUE(SwtpmCa().Verify(parsed->cert.get()).ok());
  }
}

TEST(EkCertificateTest, OtherTrailingBytesAreRefusedWithTheirOffset) {
  for (const std::string& tail :
       {std::string("\x00\x01", 2), std::string("garbage"),
        std::string("\xff\x00", 2)}) {
    auto parsed = ParseEkCertificate(SwtpmCert() + tail);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr("at byte offset 1016"));
  }
}

TEST(EkCertificateTest, NonMinimalOuterLengthIsAcceptedAndStillVerifies) {
  std::string der = SwtpmCert();
  ASSERT_EQ(static_cast<uint8_t>(der[1]), 0x82);
  // 30 82 LL LL -> 30 83 00 LL LL: valid BER, not DER.
  std::string ber =
      der.substr(0, 1) + "\x83" + std::string(1, '\0') + der.substr(2);
  auto parsed = ParseEkCertificate(ber);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->leniency, HasSubstr("not strict DER"));
  EXPECT_TRUE(SwtpmCa().Verify(parsed->cert.get()).ok());
}

TEST(EkCertificateTest, NonDerTbsSignedByTheVendorVerifiesOverItsOwnBytes) {
  // A vendor CA that signs a BER TBSCertificate: BOOLEAN TRUE encoded as
  // 0x01 (DER requires 0xff) and a non-minimal length, as some TPM vendors'
  // CAs do.
  auto chain = tc::MakeChain("Vendor", /*ek_leaf=*/true);
  ASSERT_TRUE(chain.ok()) << chain.status();
  unsigned char* buf = nullptr;
  int len = i2d_re_X509_tbs(chain->leaf.get(), &buf);
  ASSERT_GT(len, 0);
  std::string tbs(reinterpret_cast<char*>(buf), len);
  OPENSSL_free(buf);
  const size_t at = tbs.find(std::string("\x01\x01\xff", 3));
  ASSERT_NE(at, std::string::npos) << "no BOOLEAN TRUE (critical SAN)";
  tbs[at + 2] = '\x01';
  ASSERT_EQ(static_cast<uint8_t>(tbs[1]), 0x82);
  tbs = "\x30\x83" + std::string(1, '\0') + tbs.substr(2);

  crypto::OsslPtr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr,
                               chain->intermediate_key.get()),
            1);
  size_t sig_len = 0;
  const auto* tbs_bytes = reinterpret_cast<const unsigned char*>(tbs.data());
  ASSERT_EQ(EVP_DigestSign(md.get(), nullptr, &sig_len, tbs_bytes, tbs.size()),
            1);
  std::string sig(sig_len, '\0');
  ASSERT_EQ(
      EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()),
                     &sig_len, tbs_bytes, tbs.size()),
      1);
  sig.resize(sig_len);
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, chain->leaf.get());
  unsigned char* alg_der = nullptr;
  int alg_len = i2d_X509_ALGOR(alg, &alg_der);
  ASSERT_GT(alg_len, 0);
  std::string algorithm(reinterpret_cast<char*>(alg_der), alg_len);
  OPENSSL_free(alg_der);
  const std::string cert =
      Tlv('\x30', tbs + algorithm + Tlv('\x03', std::string(1, '\0') + sig));

  auto parsed = ParseEkCertificate(cert);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->leniency, HasSubstr("TBSCertificate is not strict DER"));
  X509* cas[] = {chain->root.get(), chain->intermediate.get()};
  auto store = crypto::CaStore::FromCertificates(cas, "vendor CAs");
  ASSERT_TRUE(store.ok()) << store.status();
  auto verified = store->Verify(parsed->cert.get());
  EXPECT_TRUE(verified.ok()) << verified.status();
  // And a bit flipped in the TBS breaks the signature: leniency is not a
  // bypass.
  std::string tampered = cert;
  tampered[tampered.find("Vendor Leaf") + 1] ^= 0x01;
  auto bad = ParseEkCertificate(tampered);
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_FALSE(store->Verify(bad->cert.get()).ok());
}

TEST(EkCertificateTest, RefusesWhatIsNotADerCertificate) {
  EXPECT_EQ(ParseEkCertificate("").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto junk = ParseEkCertificate("\x30\x03\x02\x01\x01");
  EXPECT_EQ(junk.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(junk.status().message()),
              HasSubstr("does not parse as X.509"));
  auto cert = crypto::ParseCertificate(SwtpmCert());
  ASSERT_TRUE(cert.ok());
  auto pem = ParseEkCertificate(*crypto::CertificateToPem(cert->get()));
  EXPECT_EQ(pem.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(pem.status().message()), HasSubstr("PEM"));
  // Truncated.
  EXPECT_EQ(ParseEkCertificate(SwtpmCert().substr(0, 500)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::registrar
