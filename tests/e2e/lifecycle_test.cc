// An agent's life beyond the happy path (issue 5 point 9), on real parts: a
// simulated reboot keeps it passing (IMA replay from entry 0, a fresh boot
// log); a reboot into another kernel command line fails with a boot.* id;
// an agent stopped for a while is UNREACHABLE and passes again by itself;
// stop and reactivate from the tenant.
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/fleet.h"
#include "tests/harness/resources.h"

namespace candor::e2e {
namespace {

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions o;
    o.nodes = 2;
    CANDOR_START_FLEET(fleet_, o);
    const std::string dir = fleet_->dir();
    auto r = fleet_->Tenant({"--out", dir + "/runtime.json", "policy",
                             "create", "--ima-log", fleet_->node(0).ima_log});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = fleet_->Tenant({"--out", dir + "/refstate.json", "bootlog", "refstate",
                        fleet_->node(0).boot_log});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (auto [name, kind, file] :
         {std::tuple{"web", "runtime", "/runtime.json"},
          std::tuple{"boot", "boot", "/refstate.json"}}) {
      r = fleet_->Tenant({"policy", "add", name, "--kind", kind, "--file",
                          dir + file, "--verifier", V()});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    for (int i = 0; i < fleet_->size(); ++i) {
      r = fleet_->Tenant({"agent", "add", fleet_->node(i).id, "--verifier",
                          V(), "--runtime-policy", "web", "--boot-policy",
                          "boot"});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }
  std::string V() const { return fleet_->verifier_address(); }
  const std::string& Id(int i) { return fleet_->node(i).id; }

  std::unique_ptr<Fleet> fleet_;
};

TEST_F(LifecycleTest, RebootKeepsPassingAndABadCmdlineFailsTheBoot) {
  EventStream s(*fleet_);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        s.WaitFor(ReachesState(Id(i), v1::OPERATIONAL_STATE_ATTESTING),
                  absl::Seconds(30))
            .ok())
        << fleet_->LogTails();
  }
  ASSERT_TRUE(fleet_->Reboot(0).ok());
  auto rebooted = s.WaitFor(
      [&](const v1::AttestationEvent& e) {
        return e.agent_id() == Id(0) &&
               e.kind() == v1::EVENT_KIND_ATTESTATION_PASSED &&
               HasFailureId(e, "agent.rebooted");
      },
      absl::Seconds(30));
  ASSERT_TRUE(rebooted.ok()) << rebooted.status() << fleet_->LogTails();
  EXPECT_EQ(rebooted->state(), v1::OPERATIONAL_STATE_ATTESTING);

  ASSERT_TRUE(
      fleet_->Reboot(1, "root=/dev/vda1 ro init=/bin/sh").ok());
  auto failed = s.WaitFor(Is(Id(1), v1::EVENT_KIND_ATTESTATION_FAILED),
                          absl::Seconds(30));
  ASSERT_TRUE(failed.ok()) << failed.status() << fleet_->LogTails();
  bool boot_failure = false;
  for (const auto& f : failed->failures()) {
    if (f.id().rfind("boot.", 0) == 0) boot_failure = true;
  }
  EXPECT_TRUE(boot_failure) << failed->DebugString();
  EXPECT_TRUE(HasFailureId(*failed, "boot.kernel_cmdline_mismatch"))
      << failed->DebugString();
  // Node 1 keeps passing after the reboot of node 2.
  EventStream later(*fleet_);
  EXPECT_TRUE(later.WaitFor(Is(Id(0), v1::EVENT_KIND_ATTESTATION_PASSED),
                            absl::Seconds(30))
                  .ok());
}

TEST_F(LifecycleTest, StoppedAgentIsUnreachableThenRecoversByItself) {
  EventStream s(*fleet_);
  ASSERT_TRUE(s.WaitFor(ReachesState(Id(0), v1::OPERATIONAL_STATE_ATTESTING),
                        absl::Seconds(30))
                  .ok())
      << fleet_->LogTails();
  ASSERT_TRUE(fleet_->StopAgent(0).ok());
  auto down = s.WaitFor(
      ReachesState(Id(0), v1::OPERATIONAL_STATE_UNREACHABLE), absl::Seconds(30));
  ASSERT_TRUE(down.ok()) << down.status() << fleet_->LogTails();
  EXPECT_TRUE(HasFailureId(*down, "agent.unreachable"));
  auto r = fleet_->Tenant({"agent", "status", Id(0), "--verifier", V()});
  EXPECT_THAT(r.output, ::testing::HasSubstr("UNREACHABLE"));
  ASSERT_TRUE(fleet_->StartAgent(0).ok());
  auto back = s.WaitFor(
      [&](const v1::AttestationEvent& e) {
        return ReachesState(Id(0), v1::OPERATIONAL_STATE_ATTESTING)(e) &&
               e.previous_state() == v1::OPERATIONAL_STATE_UNREACHABLE;
      },
      absl::Seconds(30));
  ASSERT_TRUE(back.ok()) << back.status() << fleet_->LogTails();
  for (const auto& e : s.events()) {
    EXPECT_NE(e.state(), v1::OPERATIONAL_STATE_FAILED)
        << "an unreachable agent must never fail";
  }
}

TEST_F(LifecycleTest, StopAndReactivateFromTheTenant) {
  EventStream s(*fleet_);
  ASSERT_TRUE(s.WaitFor(ReachesState(Id(1), v1::OPERATIONAL_STATE_ATTESTING),
                        absl::Seconds(30))
                  .ok())
      << fleet_->LogTails();
  auto r = fleet_->Tenant({"agent", "stop", Id(1), "--verifier", V()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(s.WaitFor(ReachesState(Id(1), v1::OPERATIONAL_STATE_STOPPED),
                        absl::Seconds(10))
                  .ok());
  r = fleet_->Tenant({"agent", "reactivate", Id(1), "--verifier", V()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto again = s.WaitFor(
      [&](const v1::AttestationEvent& e) {
        return e.agent_id() == Id(1) &&
               e.kind() == v1::EVENT_KIND_STATE_CHANGED &&
               e.previous_state() == v1::OPERATIONAL_STATE_PENDING &&
               e.state() == v1::OPERATIONAL_STATE_ATTESTING;
      },
      absl::Seconds(30));
  ASSERT_TRUE(again.ok()) << again.status() << fleet_->LogTails();
}

}  // namespace
}  // namespace candor::e2e
