// Runs `tenant watch` (the built binary, --insecure) against an in-process
// fake verifier with scripted streams: line and JSON output, filters sent,
// --count, --until-state, resume after UNAVAILABLE, OUT_OF_RANGE, Ctrl-C.
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cli/tenant/testing/fake_verifier.h"
#include "cli/tenant/testing/run_tenant.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/harness/subprocess.h"

namespace candor::tenant {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Result = candor::testing::CommandResult;
using Script = testing::FakeVerifier::WatchScript;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

v1::WatchAttestationsResponse Event(const std::string& cursor,
                                    const std::string& agent,
                                    v1::EventKind kind,
                                    v1::OperationalState prev,
                                    v1::OperationalState state) {
  v1::WatchAttestationsResponse r;
  v1::AttestationEvent* e = r.mutable_event();
  e->set_cursor(cursor);
  e->set_agent_id(agent);
  e->set_kind(kind);
  e->set_previous_state(prev);
  e->set_state(state);
  e->mutable_time()->set_seconds(1795612801);
  return r;
}

v1::WatchAttestationsResponse Passed(const std::string& cursor,
                                     const std::string& agent) {
  return Event(cursor, agent, v1::EVENT_KIND_ATTESTATION_PASSED,
               v1::OPERATIONAL_STATE_ATTESTING,
               v1::OPERATIONAL_STATE_ATTESTING);
}

v1::WatchAttestationsResponse Heartbeat(const std::string& cursor) {
  v1::WatchAttestationsResponse r;
  r.mutable_heartbeat()->set_cursor(cursor);
  r.mutable_heartbeat()->mutable_time()->set_seconds(1795612801);
  return r;
}

class WatchCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = testing::FakeVerifier::Start();
    ASSERT_NE(fake_, nullptr);
  }
  std::vector<std::string> Args(std::vector<std::string> args) {
    std::vector<std::string> argv = {"--insecure", "--timeout",
                                     "5",          "watch",
                                     "--verifier", fake_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  Result Run(std::vector<std::string> args) {
    return RunTenant(Args(std::move(args)));
  }
  std::unique_ptr<testing::FakeVerifier> fake_;
};

TEST_F(WatchCliTest, LinesPerEventAndTheFilterSent) {
  v1::WatchAttestationsResponse failed =
      Event("c2", "node-3", v1::EVENT_KIND_ATTESTATION_FAILED,
            v1::OPERATIONAL_STATE_ATTESTING, v1::OPERATIONAL_STATE_FAILED);
  failed.mutable_event()->set_severity(v1::SEVERITY_CRITICAL);
  v1::Failure* f = failed.mutable_event()->add_failures();
  f->set_id("ima.not_in_policy");
  (*f->mutable_context())["path"] = "/usr/bin/evil";
  fake_->AddWatchScript(Script{{Passed("c1", "node-3"), failed}, {}, true});
  Result r =
      Run({"--count", "2", "--agent", "node-3", "--kind",
           "attestation_passed,attestation_failed", "--min-severity", "info",
           "--state", "attesting", "--state", "failed", "--from-oldest"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("2026-11-25T13:20:01Z  node-3  ATTESTATION_PASSED  "
                        "ATTESTING  -\n"));
  EXPECT_THAT(r.output,
              HasSubstr("2026-11-25T13:20:01Z  node-3  ATTESTATION_FAILED  "
                        "ATTESTING->FAILED  critical  ima.not_in_policy "
                        "path=/usr/bin/evil\n"));
  ASSERT_EQ(fake_->watch_requests().size(), 1u);
  v1::WatchAttestationsRequest req = fake_->watch_requests()[0];
  EXPECT_TRUE(req.from_oldest());
  EXPECT_THAT(req.filter().agent_ids(), ElementsAre("node-3"));
  EXPECT_THAT(req.filter().kinds(),
              ElementsAre(v1::EVENT_KIND_ATTESTATION_PASSED,
                          v1::EVENT_KIND_ATTESTATION_FAILED));
  EXPECT_THAT(req.filter().states(),
              ElementsAre(v1::OPERATIONAL_STATE_ATTESTING,
                          v1::OPERATIONAL_STATE_FAILED));
  EXPECT_EQ(req.filter().min_severity(), v1::SEVERITY_INFO);
}

TEST_F(WatchCliTest, JsonIsOneObjectPerLineWithTheCursor) {
  fake_->AddWatchScript(Script{
      {Passed("c1", "a"), Heartbeat("c2"), Passed("c3", "b")}, {}, true});
  std::string out = Tmp() + "/watch.jsonl";
  Result r = Run({"--count", "2", "--heartbeats", "--from", "c0", "-o", "json",
                  "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> lines =
      absl::StrSplit(ReadFile(out), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << ReadFile(out);
  nlohmann::json first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["cursor"], "c1");
  EXPECT_EQ(first["kind"], "EVENT_KIND_ATTESTATION_PASSED");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["heartbeat"]["cursor"], "c2");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["agent_id"], "b");
  EXPECT_EQ(fake_->watch_requests()[0].after_cursor(), "c0");
}

TEST_F(WatchCliTest, ResumesAfterUnavailableFromTheLastCursor) {
  fake_->AddWatchScript(
      Script{{Passed("c1", "a"), Heartbeat("c2")},
             grpc::Status(grpc::StatusCode::UNAVAILABLE, "replica stopping"),
             false});
  fake_->AddWatchScript(Script{{Passed("c3", "a")}, {}, true});
  Result r = Run({"--count", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("stream ended (UNAVAILABLE: replica "
                                  "stopping); reconnecting in 500ms after "
                                  "cursor c2"));
  std::vector<v1::WatchAttestationsRequest> reqs = fake_->watch_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].start_case(), v1::WatchAttestationsRequest::START_NOT_SET);
  EXPECT_EQ(reqs[1].after_cursor(), "c2");
}

TEST_F(WatchCliTest, ResumesWhenTheFirstStreamEndsBeforeAnyMessage) {
  // Connected, nothing sent yet, then the replica stops: not "cannot reach".
  fake_->AddWatchScript(
      Script{{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "bye"), false});
  fake_->AddWatchScript(Script{{Passed("c1", "a")}, {}, true});
  Result r = Run({"--count", "1", "--from-oldest"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("reconnecting in 500ms from the original "
                                  "start"));
  std::vector<v1::WatchAttestationsRequest> reqs = fake_->watch_requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_TRUE(reqs[1].from_oldest());
}

TEST_F(WatchCliTest, OutOfRangeSaysUseFromOldest) {
  fake_->AddWatchScript(Script{
      {}, grpc::Status(grpc::StatusCode::OUT_OF_RANGE, "trimmed"), false});
  Result r = Run({"--from", "c-old"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("after cursor c-old"));
  EXPECT_THAT(r.output, HasSubstr("--from-oldest"));
}

TEST_F(WatchCliTest, UntilStateWaitsForEveryAgent) {
  v1::Agent a;
  a.set_agent_id("a");
  a.set_state(v1::OPERATIONAL_STATE_PENDING);
  fake_->PutAgent(a);
  v1::Agent b = a;
  b.set_agent_id("b");
  b.set_state(v1::OPERATIONAL_STATE_ATTESTING);  // already there
  fake_->PutAgent(b);
  fake_->AddWatchScript(Script{
      {Event("c1", "a", v1::EVENT_KIND_AGENT_UPDATED,
             v1::OPERATIONAL_STATE_PENDING, v1::OPERATIONAL_STATE_PENDING),
       Event("c2", "a", v1::EVENT_KIND_STATE_CHANGED,
             v1::OPERATIONAL_STATE_PENDING, v1::OPERATIONAL_STATE_ATTESTING),
       Passed("c3", "a")},
      {},
      true});
  Result r =
      Run({"--until-state", "a=attesting", "--until-state", "b=ATTESTING"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PENDING->ATTESTING"));
  EXPECT_THAT(r.output, ::testing::Not(HasSubstr("ATTESTATION_PASSED")));
}

TEST_F(WatchCliTest, BadValuesAreBadInput) {
  Result r = Run({"--until-state", "a=sleeping"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("unknown state 'sleeping'"));
  r = Run({"--kind", "exploded"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--kind: unknown event kind 'exploded'"));
  r = Run({"--min-severity", "loud"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = Run({"--from", "c1", "--from-oldest"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(fake_->watch_requests().empty());
}

TEST_F(WatchCliTest, UnreachableVerifierIsSaidSo) {
  Result r = RunTenant(
      {"--insecure", "--timeout", "3", "watch", "--verifier", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cannot reach the verifier at 127.0.0.1:1 "
                                  "(is it running? --verifier)"));
}

TEST_F(WatchCliTest, CtrlCExitsZero) {
  fake_->AddWatchScript(Script{{Passed("c1", "a")}, {}, true});
  std::string out = Tmp() + "/ctrlc.log";
  std::vector<std::string> argv = Args({});
  argv.insert(argv.begin(), std::string(std::getenv("TEST_SRCDIR")) +
                                "/candor/cli/tenant/tenant");
  candor::testing::SubprocessOptions opts;
  opts.argv = argv;
  opts.stdout_path = out;
  absl::StatusOr<std::unique_ptr<candor::testing::Subprocess>> p =
      candor::testing::Subprocess::Start(opts);
  ASSERT_TRUE(p.ok()) << p.status();
  // Wait (with a deadline) until the event was printed: the stream is open.
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (ReadFile(out).find("ATTESTATION_PASSED") == std::string::npos &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_THAT(ReadFile(out), HasSubstr("ATTESTATION_PASSED"));
  int status = (*p)->Stop(SIGINT);
  EXPECT_TRUE(WIFEXITED(status)) << candor::testing::DescribeWaitStatus(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadFile(out);
}

}  // namespace
}  // namespace candor::tenant
