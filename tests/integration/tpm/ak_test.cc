// EsysTpm on a real swtpm: EKs (persistent and from the TCG templates), AK
// creation and loading under both EKs, and the TPM's loaded handles after a
// series of operations (no object or session leaks).
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509.h"
#include "lib/tpm/esys_context.h"
#include "lib/tpm/handles.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/testing/quote_check.h"
#include "tests/harness/resources.h"
#include "tests/harness/swtpm.h"
#include "tests/integration/tpm/tpm_fixture.h"

namespace candor::tpm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr EkType kEks[] = {EkType::kRsa, EkType::kEcc};
constexpr AkType kAks[] = {AkType::kRsa2048, AkType::kEccP256};
const PcrSelection kSel = {{TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 10}}};

class AkTest : public SwtpmTest {};

TEST_F(AkTest, EkPublicIsTheCertifiedKey) {
  for (EkType ek : kEks) {
    auto pub_bytes = tpm_->EkPublic(ek);
    ASSERT_TRUE(pub_bytes.ok()) << pub_bytes.status();
    auto pub = ParseTpm2bPublic(*pub_bytes);
    ASSERT_TRUE(pub.ok()) << pub.status();
    auto key = PublicToEvpPkey(pub->publicArea);
    ASSERT_TRUE(key.ok()) << key.status();
    auto der = tpm_->EkCertificate(ek);
    ASSERT_TRUE(der.ok()) << der.status();
    auto cert = crypto::ParseCertificate(*der);
    ASSERT_TRUE(cert.ok()) << cert.status();
    auto cert_key = crypto::CertificatePublicKey(cert->get());
    ASSERT_TRUE(cert_key.ok());
    EXPECT_TRUE(crypto::PublicKeysEqual(key->get(), cert_key->get()))
        << EkTypeName(ek);
  }
  auto ecc = ParseTpm2bPublic(*tpm_->EkPublic(EkType::kEcc));
  EXPECT_EQ(ecc->publicArea.parameters.eccDetail.curveID, TPM2_ECC_NIST_P384);
}

TEST_F(AkTest, TemplateEksEqualThePersistentOnes) {
  std::string persistent[2];
  for (EkType ek : kEks) {
    persistent[static_cast<int>(ek)] = *tpm_->EkPublic(ek);
  }
  tpm_.reset();  // swtpm serves one connection at a time
  EsysTpm::Options opts;
  opts.use_persistent_ek = false;
  auto from_template = EsysTpm::Create(swtpm().tcti(), opts);
  ASSERT_TRUE(from_template.ok()) << from_template.status();
  for (EkType ek : kEks) {
    auto pub = (*from_template)->EkPublic(ek);
    ASSERT_TRUE(pub.ok()) << pub.status();
    EXPECT_EQ(absl::BytesToHexString(*pub),
              absl::BytesToHexString(persistent[static_cast<int>(ek)]))
        << EkTypeName(ek);
  }
  // An AK made under the persistent EK loads under the re-created one.
  from_template->reset();
  auto tpm = EsysTpm::Create(swtpm().tcti());
  ASSERT_TRUE(tpm.ok());
  tpm_ = std::move(*tpm);
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kEcc);
  tpm_.reset();
  from_template = EsysTpm::Create(swtpm().tcti(), opts);
  ASSERT_TRUE(from_template.ok());
  EXPECT_TRUE((*from_template)
                  ->LoadAk(ak.public_area, ak.private_area, EkType::kEcc)
                  .ok());
  auto handles = (*from_template)->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->transient, SizeIs(1));  // the AK; the EK was flushed
  EXPECT_THAT(handles->sessions, IsEmpty());
}

TEST_F(AkTest, AksOfBothTypesUnderBothEksLoadAndQuote) {
  for (EkType ek : kEks) {
    for (AkType type : kAks) {
      SCOPED_TRACE(absl::StrCat(EkTypeName(ek), " EK, AK type ",
                                static_cast<int>(type)));
      AkBlobs ak = Ak(type, ek);
      auto pub = ParseTpm2bPublic(ak.public_area);
      ASSERT_TRUE(pub.ok()) << pub.status();
      EXPECT_EQ(*ComputeName(pub->publicArea), ak.name);
      EXPECT_EQ(pub->publicArea.objectAttributes,
                TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT);
      EXPECT_EQ(pub->publicArea.type,
                type == AkType::kRsa2048 ? TPM2_ALG_RSA : TPM2_ALG_ECC);
      ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, ek).ok());
      auto quote = tpm_->Quote(kSel, "nonce");
      ASSERT_TRUE(quote.ok()) << quote.status();
      auto attest = CheckQuote(ak.public_area, *quote, "nonce", kSel);
      EXPECT_TRUE(attest.ok()) << attest.status();
    }
  }
}

TEST_F(AkTest, AkLoadsOnlyUnderItsOwnEk) {
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kRsa);
  absl::Status s = tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kEcc);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("Esys_Load"));
  // Garbage blobs are refused before the TPM sees them.
  s = tpm_->LoadAk(ak.public_area, ak.private_area + "x", EkType::kRsa);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = tpm_->LoadAk(*tpm_->EkPublic(EkType::kRsa), ak.private_area,
                   EkType::kRsa);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("restricted signing"));
  EXPECT_EQ(tpm_->Quote(kSel, "n").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(AkTest, OnlyTheLoadedAkStaysLoadedAndNothingAfterDestruction) {
  // A leak from an earlier process: a session left open by raw ESAPI.
  tpm_.reset();
  {
    auto ctx = EsysContext::Open(swtpm().tcti());
    ASSERT_TRUE(ctx.ok());
    TPMT_SYM_DEF sym = {};
    sym.algorithm = TPM2_ALG_NULL;
    ESYS_TR session = ESYS_TR_NONE;
    ASSERT_EQ(
        Esys_StartAuthSession((*ctx)->get(), ESYS_TR_NONE, ESYS_TR_NONE,
                              ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, nullptr,
                              TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256, &session),
        TSS2_RC_SUCCESS);
    auto leaked = ListLoadedHandles(**ctx);
    ASSERT_TRUE(leaked.ok());
    ASSERT_THAT(leaked->sessions, SizeIs(1));
  }  // Esys_Finalize does not flush: the session stays in swtpm
  auto tpm = EsysTpm::Create(swtpm().tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.status();
  tpm_ = std::move(*tpm);
  auto handles = tpm_->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->sessions, IsEmpty());  // Create flushed it

  // A series of operations, failures included, under both EKs.
  for (EkType ek : kEks) {
    AkBlobs ak = Ak(AkType::kEccP256, ek);
    ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, ek).ok());
    ASSERT_TRUE(tpm_->Quote(kSel, "n").ok());
    ASSERT_TRUE(
        tpm_->ReadPcrs({{TPM2_ALG_SHA1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}}).ok());
    EXPECT_FALSE(tpm_->LoadAk(ak.public_area, ak.private_area,
                              ek == EkType::kRsa ? EkType::kEcc : EkType::kRsa)
                     .ok());  // wrong EK: the failed command's session too
    ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, ek).ok());
    ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, ek).ok());
  }
  ASSERT_TRUE(tpm_->CreateAk(AkType::kEccP256, EkType::kEcc).ok());
  handles = tpm_->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->transient, SizeIs(1));  // exactly the loaded AK
  EXPECT_THAT(handles->sessions, IsEmpty());

  tpm_.reset();
  auto ctx = EsysContext::Open(swtpm().tcti());
  ASSERT_TRUE(ctx.ok());
  handles = ListLoadedHandles(**ctx);
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->transient, IsEmpty());
  EXPECT_THAT(handles->sessions, IsEmpty());
}

// A TPM without persistent EKs or certificates (unprovisioned swtpm, all four
// banks): EKs come from the templates, per use, and AKs work under them.
TEST(UnprovisionedTpmTest, EksFromTemplatesAndNoCertificates) {
  candor::testing::SwtpmOptions opts;
  opts.provision = false;
  auto swtpm = candor::testing::Swtpm::Start(opts);
  CANDOR_REQUIRE_RESOURCE(swtpm);
  auto tpm = EsysTpm::Create((*swtpm)->tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.status();
  for (EkType ek : kEks) {
    auto cert = (*tpm)->EkCertificate(ek);
    EXPECT_EQ(cert.status().code(), absl::StatusCode::kNotFound)
        << cert.status();
    auto pub = (*tpm)->EkPublic(ek);
    ASSERT_TRUE(pub.ok()) << pub.status();
    auto parsed = ParseTpm2bPublic(*pub);
    ASSERT_TRUE(parsed.ok());
    if (ek == EkType::kEcc) {
      EXPECT_EQ(parsed->publicArea.parameters.eccDetail.curveID,
                TPM2_ECC_NIST_P384);
    }
    auto ak = (*tpm)->CreateAk(AkType::kEccP256, ek);
    ASSERT_TRUE(ak.ok()) << ak.status();
    ASSERT_TRUE((*tpm)->LoadAk(ak->public_area, ak->private_area, ek).ok());
    const PcrSelection sel = {{TPM2_ALG_SHA384, {0, 10}}};
    auto quote = (*tpm)->Quote(sel, "n");
    ASSERT_TRUE(quote.ok()) << quote.status();
    EXPECT_TRUE(CheckQuote(ak->public_area, *quote, "n", sel).ok());
  }
  auto facts = (*tpm)->Facts();
  ASSERT_TRUE(facts.ok());
  EXPECT_THAT(facts->pcr_banks, SizeIs(4));
  auto handles = (*tpm)->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->transient, SizeIs(1));  // the AK, not the EKs
  EXPECT_THAT(handles->sessions, IsEmpty());
}

}  // namespace
}  // namespace candor::tpm::testing
