#include "services/agent/agent_state.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509.h"

namespace candor::agent {
namespace {

using ::testing::HasSubstr;

std::string Dir(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(AgentStateTest, TransportKeyPersistsAcrossOpens) {
  auto state = AgentState::Open(Dir("s1"));
  ASSERT_TRUE(state.ok()) << state.status();
  auto k1 = state->LoadOrCreateTransportKey();
  ASSERT_TRUE(k1.ok()) << k1.status();
  EXPECT_EQ(EVP_PKEY_get_bits(k1->get()), 2048);
  auto again = AgentState::Open(Dir("s1"));
  ASSERT_TRUE(again.ok());
  auto k2 = again->LoadOrCreateTransportKey();
  ASSERT_TRUE(k2.ok());
  EXPECT_TRUE(crypto::PublicKeysEqual(k1->get(), k2->get()));
  struct stat st;
  ASSERT_EQ(stat((Dir("s1") + "/transport.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(Dir("s1").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(AgentStateTest, CorruptTransportKeyIsAClearError) {
  auto state = AgentState::Open(Dir("s2"));
  ASSERT_TRUE(state.ok());
  std::ofstream(Dir("s2") + "/transport.key") << "garbage";
  auto k = state->LoadOrCreateTransportKey();
  EXPECT_EQ(k.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(k.status().message()), HasSubstr("transport.key"));
}

TEST(AgentStateTest, TlsIdentityFollowsTheAgentId) {
  auto state = AgentState::Open(Dir("s3"));
  ASSERT_TRUE(state.ok());
  auto a = state->LoadOrCreateTlsIdentity("agent-a", absl::Hours(24 * 30));
  ASSERT_TRUE(a.ok()) << a.status();
  auto a2 = state->LoadOrCreateTlsIdentity("agent-a", absl::Hours(24 * 30));
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(a->cert_pem, a2->cert_pem);  // reused
  auto b = state->LoadOrCreateTlsIdentity("agent-b", absl::Hours(24 * 30));
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->cert_pem, b->cert_pem);  // another id: a new certificate
  auto cert = crypto::ParseCertificate(b->cert_pem);
  ASSERT_TRUE(cert.ok());
  EXPECT_THAT(crypto::SubjectString(cert->get()), HasSubstr("CN=agent-b"));
  // A certificate expiring within a day is renewed.
  auto shortlived = state->LoadOrCreateTlsIdentity("agent-c", absl::Hours(1));
  ASSERT_TRUE(shortlived.ok());
  auto renewed = state->LoadOrCreateTlsIdentity("agent-c", absl::Hours(1));
  ASSERT_TRUE(renewed.ok());
  EXPECT_NE(shortlived->cert_pem, renewed->cert_pem);
}

TEST(AgentStateTest, StoredAk) {
  auto state = AgentState::Open(Dir("s4"));
  ASSERT_TRUE(state.ok());
  auto none = state->LoadAk("rsa");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(state->SaveAk("rsa", {"pub-bytes", "priv-bytes"}).ok());
  auto got = state->LoadAk("rsa");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->public_area, "pub-bytes");
  EXPECT_EQ((*got)->private_area, "priv-bytes");
  std::remove((Dir("s4") + "/ak-rsa.priv").c_str());
  EXPECT_EQ(state->LoadAk("rsa").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AgentStateTest, NotADirectory) {
  std::ofstream(Dir("afile")) << "x";
  EXPECT_EQ(AgentState::Open(Dir("afile")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace candor::agent
