#include "lib/identity/agent_id.h"

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace candor::identity {
namespace {

TEST(AgentIdTest, DefaultIsEkHash) {
  // SHA-256("abc")
  EXPECT_EQ(DefaultAgentId("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(LooksLikeEkHash(DefaultAgentId("abc")));
  EXPECT_TRUE(ValidateAgentId(DefaultAgentId("abc")).ok());
}

TEST(AgentIdTest, Syntax) {
  EXPECT_TRUE(ValidateAgentId("d432fbb3-d2f1-4a97-9ef7-75bd81c00000").ok());
  EXPECT_TRUE(ValidateAgentId("node-1.example").ok());
  EXPECT_FALSE(ValidateAgentId("").ok());
  EXPECT_FALSE(ValidateAgentId(std::string(65, 'a')).ok());
  EXPECT_FALSE(ValidateAgentId("Node").ok());
  EXPECT_FALSE(ValidateAgentId("a b").ok());
  EXPECT_FALSE(ValidateAgentId("-a").ok());
  EXPECT_FALSE(ValidateAgentId("a.").ok());
  EXPECT_FALSE(ValidateAgentId("a/../b").ok());
  EXPECT_EQ(*NormalizeAgentId("D432FBB3-D2F1"), "d432fbb3-d2f1");
  EXPECT_FALSE(LooksLikeEkHash(std::string(64, 'g')));
}

}  // namespace
}  // namespace candor::identity
