// Runs `tenant agent ...` (the built binary, --insecure) against an
// in-process fake verifier: outputs, exit codes, flag validation, the update
// mask, paging, error wording. --payload is in agent_payload_cli_test.cc.
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/tenant/testing/fake_verifier.h"
#include "cli/tenant/testing/run_tenant.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/harness/ports.h"

namespace candor::tenant {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class AgentCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = testing::FakeVerifier::Start();
    ASSERT_NE(fake_, nullptr);
    fake_->PutPolicy("web", v1::POLICY_KIND_RUNTIME, "{}");
    fake_->PutPolicy("fw", v1::POLICY_KIND_BOOT, "{}");
  }

  // The tenant with --insecure and the fake's address appended.
  Result Run(std::vector<std::string> args) {
    std::vector<std::string> argv = {"--insecure", "--timeout", "5"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--verifier");
    argv.push_back(fake_->address());
    return RunTenant(argv);
  }

  // As Run with -o json --out FILE; returns the parsed document.
  nlohmann::json RunJson(std::vector<std::string> args, int want_exit = 0) {
    std::string out = absl::StrCat(Tmp(), "/out", ++outputs_, ".json");
    args.insert(args.end(), {"-o", "json", "--out", out});
    Result r = Run(args);
    EXPECT_EQ(r.exit_code, want_exit) << r.output;
    return nlohmann::json::parse(ReadFile(out), nullptr, false);
  }

  v1::Agent Agent(const std::string& id, v1::OperationalState state) {
    v1::Agent a;
    a.set_agent_id(id);
    a.set_state(state);
    fake_->PutAgent(a);
    return a;
  }

  std::unique_ptr<testing::FakeVerifier> fake_;
  int outputs_ = 0;
};

TEST_F(AgentCliTest, HelpForEveryCommand) {
  for (const char* cmd :
       {"add", "update", "status", "list", "stop", "reactivate", "delete"}) {
    Result r = RunTenant({"agent", cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.output, HasSubstr("--verifier")) << cmd;
  }
  EXPECT_THAT(RunTenant({"agent", "add", "--help"}).output,
              HasSubstr("--payload"));
}

TEST_F(AgentCliTest, AddSendsTheConfigurationAndPrintsTheAgent) {
  std::string pcr = Tmp() + "/pcr.json";
  WriteFile(pcr, R"({"sha256": {"15": [")" + std::string(64, '0') + R"("]}})");
  nlohmann::json j = RunJson(
      {"agent", "add", "node-1", "--runtime-policy", "web@1", "--boot-policy",
       "fw", "--quote-interval", "2s", "--pcrs", "sha256:10,0,1", "--metadata",
       "rack=b12", "--metadata", "row=3", "--pcr-policy", pcr});
  EXPECT_EQ(j["agent_id"], "node-1");
  EXPECT_EQ(j["state"], "OPERATIONAL_STATE_PENDING");
  EXPECT_EQ(j["runtime_policy"]["name"], "web");
  EXPECT_EQ(j["metadata"]["rack"], "b12");

  std::vector<v1::AddAgentRequest> adds = fake_->add_requests();
  ASSERT_EQ(adds.size(), 1u);
  const v1::AddAgentRequest& req = adds[0];
  EXPECT_TRUE(req.v_share().empty());
  EXPECT_EQ(req.agent().quote_interval().seconds(), 2);
  EXPECT_EQ(req.agent().runtime_policy().version(), 1u);
  EXPECT_EQ(req.agent().boot_policy().name(), "fw");
  ASSERT_EQ(req.agent().pcr_selections_size(), 1);
  EXPECT_THAT(req.agent().pcr_selections(0).pcrs(),
              ::testing::ElementsAre(0, 1, 10));
  ASSERT_EQ(req.agent().static_pcr_policy().banks_size(), 1);
  EXPECT_EQ(req.agent().static_pcr_policy().banks(0).pcrs().at(15).digests(0),
            std::string(32, '\0'));
  EXPECT_EQ(req.agent().metadata().size(), 2u);

  Result t = Run({"agent", "status", "node-1"});
  EXPECT_EQ(t.exit_code, 0) << t.output;
  EXPECT_THAT(t.output, HasSubstr("PENDING"));
  EXPECT_THAT(t.output, HasSubstr("web@1 (pinned)"));
  EXPECT_THAT(t.output, HasSubstr("sha256:0,1,10"));
  EXPECT_THAT(t.output, HasSubstr("sha256:15 (1 allowed)"));

  // Adding again is refused by the verifier: bad input, exit 3.
  Result again = Run({"agent", "add", "node-1"});
  EXPECT_EQ(again.exit_code, 3) << again.output;
  EXPECT_THAT(again.output, HasSubstr("already added"));
}

TEST_F(AgentCliTest, BadFlagsNameTheProblemAndSendNothing) {
  std::string pcr = Tmp() + "/bad_pcr.json";
  WriteFile(pcr, R"({"sha256": {"15": ["abcd"]}})");
  Result r = Run({"agent", "add", "n", "--pcr-policy", pcr});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("sha256.15[0]: 2 bytes"));
  r = Run({"agent", "add", "n", "--quote-interval", "2 seconds"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--quote-interval: '2 seconds' is not a"));
  r = Run({"agent", "add", "n", "--pcr-policy", Tmp() + "/missing.json"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("missing.json"));
  r = Run({"agent", "add", "n", "--pcrs", "sha256:1,1"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = Run({"agent", "list", "--state", "attesting,sleeping"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--state: unknown state 'sleeping'"));
  r = Run({"agent", "add", "n", "--payload", "/etc/hostname"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--payload needs --registrar"));
  EXPECT_TRUE(fake_->add_requests().empty());
  EXPECT_TRUE(fake_->list_requests().empty());
  // A policy the verifier does not have: not found, exit 4.
  r = Run({"agent", "add", "n", "--runtime-policy", "nope"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("nope"));
}

TEST_F(AgentCliTest, StatusShowsTheLastFailure) {
  v1::Agent a = Agent("node-3", v1::OPERATIONAL_STATE_FAILED);
  a.set_severity_level(v1::SEVERITY_CRITICAL);
  a.set_attestation_count(41);
  a.set_owner_replica_id("verifier-b");
  a.set_runtime_policy_version_in_use(4);
  a.mutable_runtime_policy()->set_name("web");
  v1::Failure* f = a.mutable_last_failure();
  f->set_id("ima.not_in_policy");
  f->set_severity(v1::SEVERITY_CRITICAL);
  f->set_message("/usr/bin/evil: not allowed by policy web");
  (*f->mutable_context())["path"] = "/usr/bin/evil";
  a.mutable_last_attestation()->set_seconds(1795612801);
  fake_->PutAgent(a);

  Result t = Run({"agent", "status", "node-3"});
  ASSERT_EQ(t.exit_code, 0) << t.output;
  for (const char* want :
       {"FAILED", "critical", "ima.not_in_policy (critical)",
        "/usr/bin/evil: not allowed by policy web", "path=/usr/bin/evil", "41",
        "verifier-b", "web (latest), version in use 4",
        "2026-11-25T13:20:01Z"}) {
    EXPECT_THAT(t.output, HasSubstr(want));
  }
  nlohmann::json j = RunJson({"agent", "status", "node-3"});
  EXPECT_EQ(j["last_failure"]["id"], "ima.not_in_policy");
  EXPECT_EQ(j["severity_level"], "SEVERITY_CRITICAL");
  EXPECT_EQ(j["attestation_count"], "41");

  Result missing = Run({"agent", "status", "ghost"});
  EXPECT_EQ(missing.exit_code, 4) << missing.output;
  EXPECT_THAT(missing.output,
              HasSubstr("agent ghost not found at the verifier"));
}

TEST_F(AgentCliTest, UpdateSendsOnlyTheFlagsGiven) {
  Agent("node-1", v1::OPERATIONAL_STATE_ATTESTING);
  nlohmann::json j =
      RunJson({"agent", "update", "node-1", "--quote-interval", "5s",
               "--metadata", "rack=c1", "--runtime-policy", ""});
  EXPECT_EQ(j["quote_interval"], "5s");
  std::vector<v1::UpdateAgentRequest> updates = fake_->update_requests();
  ASSERT_EQ(updates.size(), 1u);
  const v1::UpdateAgentRequest& req = updates[0];
  std::set<std::string> paths(req.update_mask().paths().begin(),
                              req.update_mask().paths().end());
  EXPECT_EQ(paths, (std::set<std::string>{"quote_interval", "metadata",
                                          "runtime_policy"}));
  EXPECT_TRUE(req.agent().runtime_policy().name().empty());
  EXPECT_TRUE(req.v_share().empty());

  Result none = Run({"agent", "update", "node-1"});
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_THAT(none.output, HasSubstr("nothing to change"));
  EXPECT_EQ(fake_->update_requests().size(), 1u);

  Result ghost = Run({"agent", "update", "ghost", "--address", "h:1"});
  EXPECT_EQ(ghost.exit_code, 4) << ghost.output;
  EXPECT_THAT(ghost.output, HasSubstr("agent ghost not found"));
}

TEST_F(AgentCliTest, ListFollowsPagesOrPrintsOne) {
  for (int i = 0; i < 5; ++i) {
    Agent(absl::StrCat("node-", i), i == 3 ? v1::OPERATIONAL_STATE_FAILED
                                           : v1::OPERATIONAL_STATE_ATTESTING);
  }
  nlohmann::json all = RunJson({"agent", "list", "--page-size", "2"});
  ASSERT_EQ(all["agents"].size(), 5u);
  EXPECT_EQ(all["agents"][4]["agent_id"], "node-4");
  EXPECT_EQ(all["next_page_token"], "");
  EXPECT_EQ(fake_->list_requests().size(), 3u);

  nlohmann::json first =
      RunJson({"agent", "list", "--page-size", "2", "--page-token", ""});
  ASSERT_EQ(first["agents"].size(), 2u);
  std::string token = first["next_page_token"];
  ASSERT_FALSE(token.empty());
  nlohmann::json second =
      RunJson({"agent", "list", "--page-size", "2", "--page-token", token});
  EXPECT_EQ(second["agents"][0]["agent_id"], "node-2");

  nlohmann::json failed = RunJson({"agent", "list", "--state", "failed"});
  ASSERT_EQ(failed["agents"].size(), 1u);
  EXPECT_EQ(failed["agents"][0]["agent_id"], "node-3");
  EXPECT_THAT(fake_->list_requests().back().states(),
              ::testing::ElementsAre(v1::OPERATIONAL_STATE_FAILED));

  Result t = Run({"agent", "list"});
  EXPECT_EQ(t.exit_code, 0) << t.output;
  EXPECT_THAT(t.output, HasSubstr("AGENT"));
  EXPECT_THAT(t.output, HasSubstr("node-4"));
}

TEST_F(AgentCliTest, StopReactivateDelete) {
  Agent("node-1", v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(RunJson({"agent", "stop", "node-1"})["state"],
            "OPERATIONAL_STATE_STOPPED");
  EXPECT_EQ(RunJson({"agent", "reactivate", "node-1"})["state"],
            "OPERATIONAL_STATE_PENDING");
  Result again = Run({"agent", "reactivate", "node-1"});
  EXPECT_EQ(again.exit_code, 3) << again.output;
  EXPECT_THAT(again.output, HasSubstr("neither FAILED nor STOPPED"));
  EXPECT_EQ(RunJson({"agent", "delete", "node-1"})["deleted"], "node-1");
  EXPECT_FALSE(fake_->GetStoredAgent("node-1").has_value());
  Result gone = Run({"agent", "delete", "node-1"});
  EXPECT_EQ(gone.exit_code, 4) << gone.output;
}

TEST_F(AgentCliTest, UnreachableVerifierIsNeverNotFound) {
  absl::StatusOr<candor::testing::ListeningSocket> sock =
      candor::testing::Listen(0);
  ASSERT_TRUE(sock.ok());
  int port = sock->port();
  sock->Close();  // nothing listens there now
  std::string addr = absl::StrCat("127.0.0.1:", port);
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"agent", "status", "node-1"},
        {"agent", "list"},
        {"agent", "add", "node-1"}}) {
    cmd.insert(cmd.end(), {"--verifier", addr});
    std::vector<std::string> argv = {"--insecure", "--timeout", "3"};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    Result r = RunTenant(argv);
    EXPECT_EQ(r.exit_code, 6) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr(absl::StrCat("cannot reach the verifier at ", addr,
                                       " (is it running? --verifier)")));
    EXPECT_THAT(r.output, Not(HasSubstr("not found")));
  }
}

TEST_F(AgentCliTest, VerifierAnsweringUnavailableSaysRetry) {
  fake_->FailWith(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "database unreachable"));
  Result r = Run({"agent", "status", "node-1"});
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_THAT(r.output, HasSubstr("is unavailable (GetAgent): database "
                                  "unreachable; retry"));
  fake_->FailWith(
      grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "not admin"));
  r = Run({"agent", "status", "node-1"});
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_THAT(r.output, HasSubstr("admin certificate"));
}

}  // namespace
}  // namespace candor::tenant
