#include "tools/agent_sim/commands.h"

#include <memory>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::agent_sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions o;
    o.count = 2;
    o.ima_initial = 5;
    o.ima_pool = 5;
    o.id_prefix = "cmd";
    auto fleet = Fleet::Create(o);
    ASSERT_TRUE(fleet.ok()) << fleet.status();
    fleet_ = std::move(*fleet);
    commands_ = std::make_unique<CommandProcessor>(*fleet_, stats_);
  }
  std::optional<std::string> Run(const std::string& line) {
    return commands_->Execute(line, absl::Now());
  }
  std::unique_ptr<Fleet> fleet_;
  SimStats stats_;
  std::unique_ptr<CommandProcessor> commands_;
};

TEST_F(CommandsTest, TamperStopStartByIndexOrId) {
  EXPECT_THAT(Run("tamper 1 ima"),
              Optional(StartsWith("ok tamper sim-cmd-00001 ima /tmp/evil-1 "
                                  "entry 6")));
  EXPECT_THAT(Run("tamper sim-cmd-00002 quote"),
              Optional(std::string("ok tamper sim-cmd-00002 quote")));
  EXPECT_THAT(Run("  tamper 2 pcr16 "),
              Optional(std::string("ok tamper sim-cmd-00002 pcr16")));
  EXPECT_THAT(Run("stop 2"), Optional(std::string("ok stop sim-cmd-00002")));
  EXPECT_TRUE(fleet_->Lookup("2")->stopped());
  EXPECT_THAT(Run("start sim-cmd-00002"),
              Optional(std::string("ok start sim-cmd-00002")));
  EXPECT_FALSE(fleet_->Lookup("2")->stopped());
  EXPECT_EQ(fleet_->Lookup("1")->ImaEntries(absl::Now()), 7u);
  EXPECT_FALSE(commands_->quit());
  EXPECT_THAT(Run("quit"), Optional(std::string("ok quit")));
  EXPECT_TRUE(commands_->quit());
}

TEST_F(CommandsTest, ErrorsAndStats) {
  EXPECT_EQ(Run(""), std::nullopt);
  EXPECT_THAT(Run("tamper 3 ima"), Optional(StartsWith("error no agent")));
  EXPECT_THAT(Run("tamper 0 ima"), Optional(StartsWith("error no agent")));
  EXPECT_THAT(Run("tamper 1 disk"),
              Optional(StartsWith("error unknown tampering")));
  EXPECT_THAT(Run("reboot 1"), Optional(StartsWith("error unknown command")));
  EXPECT_THAT(Run("stop"), Optional(StartsWith("error unknown command")));
  ASSERT_TRUE(Run("tamper 2 quote").has_value());
  std::optional<std::string> stats = Run("stats");
  ASSERT_TRUE(stats.has_value());
  EXPECT_THAT(*stats, StartsWith("{"));
  EXPECT_THAT(*stats, HasSubstr("\"agents\":2"));
  EXPECT_THAT(*stats, HasSubstr("\"tampered\":1"));
  EXPECT_THAT(*stats, HasSubstr("\"ima_entries\":6"));
}

}  // namespace
}  // namespace candor::agent_sim
