// EsysTpm::ActivateCredential on a real swtpm against credentials made
// offline by tpm2_makecredential -T none (tpm2-tools 5.4), for both EKs (the
// RSA EK from its PEM with -G rsa; swtpm's P-384 ECC EK, which the tool's
// default ECC template does not describe, from its TPM2B_PUBLIC) and both AK
// types; altered or misdirected credentials fail the TPM's integrity check.
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/secret.h"
#include "lib/tpm/testing/quote_check.h"
#include "tests/harness/resources.h"
#include "tests/harness/temp_dir.h"
#include "tests/integration/tpm/tpm_fixture.h"

namespace candor::tpm::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const std::string kSecret = "0123456789abcdef0123456789abcdef";

class CredentialTest : public SwtpmTest {
 protected:
  // tpm2_makecredential -T none for `ek` and the AK name; returns the
  // marshalled TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET.
  absl::StatusOr<std::pair<std::string, std::string>> MakeCredential(
      EkType ek, const std::string& ak_name) {
    auto ek_pub = tpm_->EkPublic(ek);
    if (!ek_pub.ok()) return ek_pub.status();
    std::vector<std::string> args = {"-T", "none",
                                     "-s", Path("secret"),
                                     "-n", absl::BytesToHexString(ak_name),
                                     "-o", Path("mkcred.out")};
    absl::Status s = candor::testing::WriteFile(Path("secret"), kSecret);
    if (ek == EkType::kRsa) {
      auto pem = PublicAreaPem(*ek_pub);
      if (!pem.ok()) return pem.status();
      if (s.ok()) s = candor::testing::WriteFile(Path("ek.pem"), *pem);
      args.insert(args.end(), {"-G", "rsa", "-u", Path("ek.pem")});
    } else {
      if (s.ok()) s = candor::testing::WriteFile(Path("ek.pub"), *ek_pub);
      args.insert(args.end(), {"-u", Path("ek.pub")});
    }
    if (s.ok()) s = RunTool("tpm2_makecredential", args);
    if (!s.ok()) return s;
    auto out = ReadFileBytes(Path("mkcred.out"));
    if (!out.ok()) return out.status();
    return ParseMakeCredentialFile(*out);
  }
};

TEST_F(CredentialTest, ActivatesCredentialsFromTpm2Makecredential) {
  CANDOR_REQUIRE_RESOURCE(RequireTool("tpm2_makecredential"));
  for (EkType ek : {EkType::kRsa, EkType::kEcc}) {
    for (AkType type : {AkType::kEccP256, AkType::kRsa2048}) {
      SCOPED_TRACE(absl::StrCat(EkTypeName(ek), " EK, AK type ",
                                static_cast<int>(type)));
      AkBlobs ak = Ak(type, ek);
      ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, ek).ok());
      auto cred = MakeCredential(ek, ak.name);
      ASSERT_TRUE(cred.ok()) << cred.status();
      auto secret = tpm_->ActivateCredential(cred->first, cred->second, ek);
      ASSERT_TRUE(secret.ok()) << secret.status();
      EXPECT_TRUE(crypto::ConstantTimeEquals(secret->view(), kSecret));
    }
  }
  auto handles = tpm_->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->transient, SizeIs(1));
  EXPECT_THAT(handles->sessions, IsEmpty());
}

TEST_F(CredentialTest, AlteredOrMisdirectedCredentialsFailIntegrity) {
  CANDOR_REQUIRE_RESOURCE(RequireTool("tpm2_makecredential"));
  AkBlobs ak = Ak(AkType::kEccP256, EkType::kRsa);
  ASSERT_TRUE(tpm_->LoadAk(ak.public_area, ak.private_area, EkType::kRsa).ok());
  auto cred = MakeCredential(EkType::kRsa, ak.name);
  ASSERT_TRUE(cred.ok()) << cred.status();

  std::string altered = cred->first;
  altered[10] ^= 0x01;  // inside the integrity HMAC
  auto secret = tpm_->ActivateCredential(altered, cred->second, EkType::kRsa);
  EXPECT_EQ(secret.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(secret.status().message()),
              HasSubstr("integrity check failed"));

  // A credential for another AK's name.
  std::string other_name = ak.name;
  other_name.back() ^= 0x01;
  auto other = MakeCredential(EkType::kRsa, other_name);
  ASSERT_TRUE(other.ok()) << other.status();
  secret = tpm_->ActivateCredential(other->first, other->second, EkType::kRsa);
  EXPECT_EQ(secret.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(secret.status().message()), HasSubstr("integrity"));

  // Blobs that do not parse never reach the TPM.
  secret =
      tpm_->ActivateCredential(cred->first + "x", cred->second, EkType::kRsa);
  EXPECT_EQ(secret.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(secret.status().message()), HasSubstr("trailing"));

  // The untouched credential still works; no session was left behind.
  secret = tpm_->ActivateCredential(cred->first, cred->second, EkType::kRsa);
  ASSERT_TRUE(secret.ok()) << secret.status();
  auto handles = tpm_->ListLoadedHandles();
  ASSERT_TRUE(handles.ok());
  EXPECT_THAT(handles->sessions, IsEmpty());
}

TEST_F(CredentialTest, NeedsALoadedAk) {
  EXPECT_EQ(tpm_->ActivateCredential(std::string("\0\0", 2),
                                     std::string("\0\0", 2), EkType::kRsa)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace candor::tpm::testing
