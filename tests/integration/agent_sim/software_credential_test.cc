// The simulator's software ActivateCredential against the registrar's
// software MakeCredential (each written from the specification on its own):
// a simulated EK opens the challenge for its AK and only for it.
#include "lib/tpm/software_credential.h"

#include <string>

#include "gtest/gtest.h"
#include "services/registrar/make_credential.h"
#include "tools/agent_sim/sim_keys.h"

namespace candor::agent_sim {
namespace {

TEST(SoftwareCredentialTest, OpensTheRegistrarsChallenge) {
  auto ek = SimEk::Generate();
  ASSERT_TRUE(ek.ok()) << ek.status();
  auto ak = SimAk::Generate();
  ASSERT_TRUE(ak.ok()) << ak.status();
  ASSERT_TRUE(registrar::CheckCredentialEk(ek->pub).ok());
  const std::string credential(32, '\x17');
  auto challenge = registrar::MakeCredential(ek->pub, ak->name, credential);
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  auto opened = tpm::SoftwareActivateCredential(ek->key.get(), ek->pub, ak->name,
                                   challenge->credential_blob,
                                   challenge->encrypted_secret);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->view(), credential);
}

TEST(SoftwareCredentialTest, RefusesAnotherAkOrEk) {
  auto ek = SimEk::Generate();
  auto other_ek = SimEk::Generate();
  auto ak = SimAk::Generate();
  auto other_ak = SimAk::Generate();
  ASSERT_TRUE(ek.ok() && other_ek.ok() && ak.ok() && other_ak.ok());
  auto challenge =
      registrar::MakeCredential(ek->pub, ak->name, std::string(32, 'c'));
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  auto wrong_ak = tpm::SoftwareActivateCredential(ek->key.get(), ek->pub, other_ak->name,
                                     challenge->credential_blob,
                                     challenge->encrypted_secret);
  EXPECT_EQ(wrong_ak.status().code(), absl::StatusCode::kPermissionDenied);
  auto wrong_ek = tpm::SoftwareActivateCredential(other_ek->key.get(), other_ek->pub,
                                     ak->name, challenge->credential_blob,
                                     challenge->encrypted_secret);
  EXPECT_EQ(wrong_ek.status().code(), absl::StatusCode::kPermissionDenied);
  auto truncated = tpm::SoftwareActivateCredential(ek->key.get(), ek->pub, ak->name,
                                      challenge->credential_blob.substr(0, 10),
                                      challenge->encrypted_secret);
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::agent_sim
