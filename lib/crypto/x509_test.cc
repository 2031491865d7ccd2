#include "lib/crypto/x509.h"

#include <openssl/pem.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"

namespace candor::crypto {
namespace {

using test_certs::CertOptions;
using test_certs::MakeCertificate;
using test_certs::MakeChain;
using test_certs::NewTempDir;
using test_certs::TestChain;
using test_certs::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Der(const X509* cert) { return CertificateToDer(cert).value(); }
std::string Pem(const X509* cert) { return CertificateToPem(cert).value(); }

class X509Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    chain_ = new TestChain(MakeChain("Test", /*ek_leaf=*/false).value());
    ek_chain_ = new TestChain(MakeChain("EK", /*ek_leaf=*/true).value());
    other_ = new TestChain(MakeChain("Other", /*ek_leaf=*/false).value());
  }
  static void TearDownTestSuite() {
    delete chain_;
    delete ek_chain_;
    delete other_;
  }

  // A directory holding the root and (optionally) the intermediate of `c`.
  static std::string CaDir(const TestChain& c, bool with_intermediate) {
    std::string dir = NewTempDir("ca");
    EXPECT_TRUE(WriteFile(dir + "/root.pem", Pem(c.root.get())).ok());
    if (with_intermediate) {
      EXPECT_TRUE(
          WriteFile(dir + "/intermediate.crt", Pem(c.intermediate.get())).ok());
    }
    return dir;
  }

  static TestChain* chain_;
  static TestChain* ek_chain_;
  static TestChain* other_;
};
TestChain* X509Test::chain_ = nullptr;
TestChain* X509Test::ek_chain_ = nullptr;
TestChain* X509Test::other_ = nullptr;

// ---- ParseCertificate -------------------------------------------------------

TEST_F(X509Test, ParsesDerAndPem) {
  for (const std::string& input :
       {Der(chain_->leaf.get()), Pem(chain_->leaf.get()),
        "Certificate:\n  explanatory text\n" + Pem(chain_->leaf.get()) +
            "\n\n"}) {
    absl::StatusOr<OsslPtr<X509>> cert = ParseCertificate(input);
    ASSERT_TRUE(cert.ok()) << cert.status();
    EXPECT_EQ(X509_cmp(cert->get(), chain_->leaf.get()), 0);
  }
}

TEST_F(X509Test, GarbageIsRejectedNamingBothEncodings) {
  absl::StatusOr<OsslPtr<X509>> cert = ParseCertificate("not a certificate");
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cert.status().message()),
              HasSubstr("neither a DER certificate"));
  EXPECT_THAT(std::string(cert.status().message()), HasSubstr("nor PEM"));
  EXPECT_EQ(ParseCertificate("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(X509Test, EveryTruncationOfDerIsRejected) {
  std::string der = Der(chain_->leaf.get());
  for (size_t len = 1; len < der.size(); ++len) {
    absl::StatusOr<OsslPtr<X509>> cert = ParseCertificate(der.substr(0, len));
    ASSERT_FALSE(cert.ok()) << "accepted a " << len << "-byte prefix";
    EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(cert.status().message()), HasSubstr("DER"));
  }
}

TEST_F(X509Test, DerWithTrailingBytesIsRejected) {
  absl::StatusOr<OsslPtr<X509>> cert =
      ParseCertificate(Der(chain_->leaf.get()) + std::string(1, '\0'));
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cert.status().message()),
              HasSubstr("1 trailing bytes"));
}

TEST_F(X509Test, PemWithTrailingJunkIsRejected) {
  absl::StatusOr<OsslPtr<X509>> cert =
      ParseCertificate(Pem(chain_->leaf.get()) + "junk\n");
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cert.status().message()),
              HasSubstr("bad PEM certificate"));
  EXPECT_THAT(std::string(cert.status().message()), HasSubstr("trailing data"));
}

TEST_F(X509Test, PemWithTwoCertificatesIsRejected) {
  absl::StatusOr<OsslPtr<X509>> cert =
      ParseCertificate(Pem(chain_->leaf.get()) + Pem(chain_->root.get()));
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cert.status().message()),
              HasSubstr("more than one PEM block"));
}

TEST_F(X509Test, PemWithCorruptBase64IsRejected) {
  std::string pem = Pem(chain_->leaf.get());
  pem[pem.find('\n') + 10] = '*';
  absl::StatusOr<OsslPtr<X509>> cert = ParseCertificate(pem);
  EXPECT_EQ(cert.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(cert.status().message()),
              HasSubstr("bad PEM certificate"));
  EXPECT_THAT(std::string(cert.status().message()),
              HasSubstr("PEM_read_bio_X509"));
}

// ---- names and keys ---------------------------------------------------------

TEST_F(X509Test, SubjectAndIssuerAreRfc2253) {
  EXPECT_EQ(SubjectString(chain_->leaf.get()), "CN=Test Leaf,O=Candor Test");
  EXPECT_EQ(IssuerString(chain_->leaf.get()),
            "CN=Test Intermediate CA,O=Candor Test");
  EXPECT_EQ(SubjectString(nullptr), "");
}

TEST_F(X509Test, CertificatePublicKeyIsTheSubjectKey) {
  absl::StatusOr<OsslPtr<EVP_PKEY>> key =
      CertificatePublicKey(chain_->leaf.get());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_TRUE(PublicKeysEqual(key->get(), chain_->leaf_key.get()));
  EXPECT_FALSE(PublicKeysEqual(key->get(), chain_->root_key.get()));
}

// ---- CaStore ----------------------------------------------------------------

TEST_F(X509Test, VerifiesAChainThroughTheDirectory) {
  std::string dir = CaDir(*chain_, /*with_intermediate=*/true);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->anchor_count(), 1u);
  EXPECT_EQ(store->intermediate_count(), 1u);
  absl::StatusOr<VerifiedChain> v = store->Verify(chain_->leaf.get());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->anchor_subject, "CN=Test Root CA,O=Candor Test");
  EXPECT_THAT(v->chain_subjects,
              ElementsAre("CN=Test Leaf,O=Candor Test",
                          "CN=Test Intermediate CA,O=Candor Test",
                          "CN=Test Root CA,O=Candor Test"));
}

TEST_F(X509Test, EkShapedLeafWithCriticalSanDirNameVerifies) {
  std::string dir = CaDir(*ek_chain_, /*with_intermediate=*/true);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  int crit = -1;
  void* san = X509_get_ext_d2i(ek_chain_->leaf.get(), NID_subject_alt_name,
                               &crit, nullptr);
  ASSERT_NE(san, nullptr);
  GENERAL_NAMES_free(static_cast<GENERAL_NAMES*>(san));
  EXPECT_EQ(crit, 1);
  absl::StatusOr<VerifiedChain> v = store->Verify(ek_chain_->leaf.get());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->anchor_subject, "CN=EK Root CA,O=Candor Test");
}

TEST_F(X509Test, ExtraIntermediatesAreUsed) {
  std::string dir = CaDir(*chain_, /*with_intermediate=*/false);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  X509* extra[] = {chain_->intermediate.get()};
  absl::StatusOr<VerifiedChain> v = store->Verify(chain_->leaf.get(), extra);
  EXPECT_TRUE(v.ok()) << v.status();
}

TEST_F(X509Test, MissingIntermediateIsPermissionDenied) {
  std::string dir = CaDir(*chain_, /*with_intermediate=*/false);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<VerifiedChain> v = store->Verify(chain_->leaf.get());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("certificate CN=Test Leaf,O=Candor Test issued by "
                        "CN=Test Intermediate CA,O=Candor Test does not chain "
                        "to a CA in " +
                        dir + ": unable to get local issuer certificate"));
}

TEST_F(X509Test, WrongCaIsPermissionDenied) {
  std::string dir = CaDir(*other_, /*with_intermediate=*/true);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<VerifiedChain> v = store->Verify(chain_->leaf.get());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  // Even with the right intermediate supplied by the caller.
  X509* extra[] = {chain_->intermediate.get()};
  v = store->Verify(chain_->leaf.get(), extra);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(X509Test, ImpostorIntermediateWithTheSameNameIsRejected) {
  // Same subject as the real intermediate and issued by the real root, but
  // with another key: the leaf must not chain through it.
  std::string dir = CaDir(*chain_, /*with_intermediate=*/false);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  OsslPtr<EVP_PKEY> key =
      test_certs::MakeKey(test_certs::KeyType::kEcP256).value();
  CertOptions opts{"Test Intermediate CA", /*is_ca=*/true};
  OsslPtr<X509> impostor = MakeCertificate(opts, key.get(), chain_->root.get(),
                                           chain_->root_key.get())
                               .value();
  X509* extra[] = {impostor.get()};
  absl::StatusOr<VerifiedChain> v = store->Verify(chain_->leaf.get(), extra);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("does not chain"));
}

TEST_F(X509Test, ExpiredLeafIsRejected) {
  std::string dir = CaDir(*chain_, /*with_intermediate=*/true);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  CertOptions opts{"Old Leaf"};
  opts.not_before_offset = -7200;
  opts.not_after_offset = -3600;
  OsslPtr<X509> old =
      MakeCertificate(opts, chain_->leaf_key.get(), chain_->intermediate.get(),
                      chain_->intermediate_key.get())
          .value();
  absl::StatusOr<VerifiedChain> v = store->Verify(old.get());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("certificate has expired"));
}

TEST_F(X509Test, LeafIssuedByANonCaIsRejected) {
  std::string dir = CaDir(*chain_, /*with_intermediate=*/true);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  OsslPtr<EVP_PKEY> key =
      test_certs::MakeKey(test_certs::KeyType::kEcP256).value();
  OsslPtr<X509> sub =
      MakeCertificate(CertOptions{"Sub Leaf"}, key.get(), chain_->leaf.get(),
                      chain_->leaf_key.get())
          .value();
  X509* extra[] = {chain_->leaf.get()};
  absl::StatusOr<VerifiedChain> v = store->Verify(sub.get(), extra);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(v.status().message()),
              HasSubstr("invalid CA certificate"));
}

TEST_F(X509Test, NullLeafIsInvalidArgument) {
  std::string dir = CaDir(*chain_, /*with_intermediate=*/true);
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->Verify(nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(X509Test, LoadsBundlesAndDerFilesAndIgnoresOtherFiles) {
  std::string dir = NewTempDir("bundle");
  // A PEM bundle with a private key block in the middle (skipped).
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), other_->leaf_key.get(), nullptr,
                                     nullptr, 0, nullptr, nullptr),
            1);
  char* key_pem = nullptr;
  long key_len = BIO_get_mem_data(bio.get(), &key_pem);  // NOLINT
  ASSERT_TRUE(
      WriteFile(dir + "/bundle.PEM", Pem(chain_->root.get()) +
                                         std::string(key_pem, key_len) +
                                         Pem(other_->intermediate.get()))
          .ok());
  ASSERT_TRUE(
      WriteFile(dir + "/mid.der", Der(chain_->intermediate.get())).ok());
  ASSERT_TRUE(WriteFile(dir + "/other-root.cer", Der(other_->root.get())).ok());
  ASSERT_TRUE(WriteFile(dir + "/README.txt", "not a certificate").ok());
  ASSERT_TRUE(WriteFile(dir + "/0a1b2c3d.0", "not a certificate").ok());
  std::filesystem::create_directory(dir + "/subdir.pem");
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->anchor_count(), 2u);
  EXPECT_EQ(store->intermediate_count(), 2u);
  EXPECT_EQ(store->source(), dir);
  EXPECT_TRUE(store->Verify(chain_->leaf.get()).ok());
  EXPECT_TRUE(store->Verify(other_->leaf.get()).ok());
}

TEST_F(X509Test, EmptyDirectoryIsAnErrorNamingIt) {
  std::string dir = NewTempDir("empty");
  ASSERT_TRUE(WriteFile(dir + "/notes.txt", "hello").ok());
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(dir));
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr("holds no certificates"));
}

TEST_F(X509Test, MissingDirectoryIsNotFound) {
  std::string dir = NewTempDir("gone") + "/nope";
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(dir));
}

TEST_F(X509Test, DirectoryWithoutAnchorIsAnError) {
  std::string dir = NewTempDir("noanchor");
  ASSERT_TRUE(
      WriteFile(dir + "/mid.pem", Pem(chain_->intermediate.get())).ok());
  absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      std::string(store.status().message()),
      HasSubstr("no self-signed CA certificate (trust anchor) in " + dir));
}

TEST_F(X509Test, UnparsableFileIsAnErrorNamingIt) {
  struct Case {
    const char* file;
    std::string contents;
    const char* why;
  };
  std::string der = Der(chain_->intermediate.get());
  std::string pem = Pem(chain_->intermediate.get());
  for (const Case& c : {
           Case{"garbage.der", "\x30\x82garbage", "neither a DER certificate"},
           Case{"truncated.cer", der.substr(0, der.size() / 2), "DER"},
           Case{"corrupt.pem",
                pem.substr(0, pem.size() / 2) + "\n-----END CERTIFICATE-----\n",
                "certificate 1: PEM_read_bio_X509"},
           Case{
               "key-only.pem",
               "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
               "holds no CERTIFICATE PEM block"},
       }) {
    std::string dir = CaDir(*chain_, /*with_intermediate=*/false);
    ASSERT_TRUE(WriteFile(dir + "/" + c.file, c.contents).ok());
    absl::StatusOr<CaStore> store = CaStore::LoadDirectory(dir);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument)
        << c.file;
    EXPECT_THAT(std::string(store.status().message()),
                HasSubstr(dir + "/" + c.file));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(c.why));
  }
}

}  // namespace
}  // namespace candor::crypto
