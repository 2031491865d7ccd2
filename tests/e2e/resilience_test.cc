// The verifier survives its own crash and a database restart (issue 5 point
// 9): after SIGKILL and a restart every agent resumes without any admin
// action, and a watch resumed from the last cursor received neither loses nor
// repeats an event (checked against a from-oldest read of the same range);
// after PostgreSQL restarts the verifier reconnects and attestation goes on.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/fleet.h"
#include "tests/harness/resources.h"

namespace candor::e2e {
namespace {

class ResilienceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FleetOptions o;
    o.nodes = 2;
    CANDOR_START_FLEET(fleet_, o);
    const std::string policy = fleet_->dir() + "/runtime.json";
    auto r = fleet_->Tenant({"--out", policy, "policy", "create", "--ima-log",
                             fleet_->node(0).ima_log});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = fleet_->Tenant({"policy", "add", "web", "--kind", "runtime", "--file",
                        policy, "--verifier", fleet_->verifier_address()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (int i = 0; i < fleet_->size(); ++i) {
      r = fleet_->Tenant({"agent", "add", fleet_->node(i).id, "--verifier",
                          fleet_->verifier_address(), "--runtime-policy",
                          "web"});
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }

  // Waits for a passing cycle of every agent on `s` after event `from`.
  void ExpectAllPass(EventStream& s, const std::string& why) {
    for (int i = 0; i < fleet_->size(); ++i) {
      auto e = s.WaitFor(Is(fleet_->node(i).id,
                            v1::EVENT_KIND_ATTESTATION_PASSED),
                         absl::Seconds(40));
      ASSERT_TRUE(e.ok()) << why << ": " << e.status() << fleet_->LogTails();
    }
  }

  std::unique_ptr<Fleet> fleet_;
};

TEST_F(ResilienceTest, KilledVerifierResumesAndWatchResumesExactlyOnce) {
  std::string cursor;
  {
    EventStream live(*fleet_, "", /*from_oldest=*/true);
    ExpectAllPass(live, "before the kill");
    cursor = live.events().back().cursor();
  }
  ASSERT_TRUE(fleet_->StopVerifier(SIGKILL).ok());
  ASSERT_TRUE(fleet_->StartVerifier().ok()) << fleet_->LogTails();
  EventStream resumed(*fleet_, cursor);
  ExpectAllPass(resumed, "after the restart, without admin action");
  // Let a few more events arrive, then compare with a from-oldest read.
  ExpectAllPass(resumed, "still attesting");
  std::vector<v1::AttestationEvent> got = resumed.events();
  ASSERT_FALSE(got.empty());
  std::set<std::string> unique;
  for (const auto& e : got) {
    EXPECT_TRUE(unique.insert(e.cursor()).second) << "repeated " << e.cursor();
  }
  EventStream oldest(*fleet_, "", /*from_oldest=*/true);
  const std::string last = got.back().cursor();
  auto reached = oldest.WaitFor(
      [&](const v1::AttestationEvent& e) { return e.cursor() == last; },
      absl::Seconds(20));
  ASSERT_TRUE(reached.ok()) << reached.status();
  std::vector<std::string> expected;
  bool after = false;
  for (const auto& e : oldest.events()) {
    if (after) expected.push_back(e.cursor());
    if (e.cursor() == cursor) after = true;
    if (e.cursor() == last) break;
  }
  ASSERT_TRUE(after) << "the resume cursor is not in the stream";
  std::vector<std::string> seen;
  for (const auto& e : got) seen.push_back(e.cursor());
  EXPECT_EQ(seen, expected) << "the resumed watch lost or reordered events";
}

TEST_F(ResilienceTest, PostgresRestartIsSurvived) {
  EventStream s(*fleet_);
  ExpectAllPass(s, "before the database restart");
  ASSERT_TRUE(fleet_->postgres().Stop().ok());
  ASSERT_TRUE(fleet_->postgres().Restart().ok());
  const size_t before = s.events().size();
  auto e = s.WaitFor(
      [&, n = size_t{0}](const v1::AttestationEvent& ev) mutable {
        return ++n > before && ev.kind() == v1::EVENT_KIND_ATTESTATION_PASSED;
      },
      absl::Seconds(60));
  ASSERT_TRUE(e.ok()) << "no pass after the database came back: "
                      << e.status() << fleet_->LogTails();
  auto r = fleet_->Tenant(
      {"agent", "list", "--verifier", fleet_->verifier_address()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("ATTESTING"));
}

}  // namespace
}  // namespace candor::e2e
