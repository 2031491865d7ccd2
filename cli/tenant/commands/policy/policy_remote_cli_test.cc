// Runs `tenant policy add|update|show|list|delete` (the built binary,
// --insecure) against an in-process fake verifier.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/tenant/testing/fake_verifier.h"
#include "cli/tenant/testing/run_tenant.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {
namespace {

using ::testing::HasSubstr;
using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat(Tmp(), "/", name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class PolicyRemoteCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = testing::FakeVerifier::Start();
    ASSERT_NE(fake_, nullptr);
  }
  Result Run(std::vector<std::string> args) {
    std::vector<std::string> argv = {"--insecure", "--timeout", "5", "policy"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--verifier", fake_->address()});
    return RunTenant(argv);
  }
  nlohmann::json RunJson(std::vector<std::string> args) {
    std::string out = absl::StrCat(Tmp(), "/p", ++n_, ".json");
    args.insert(args.end(), {"-o", "json", "--out", out});
    Result r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(ReadFile(out), nullptr, false);
  }
  std::unique_ptr<testing::FakeVerifier> fake_;
  int n_ = 0;
};

TEST_F(PolicyRemoteCliTest, HelpForEveryCommand) {
  for (const char* cmd : {"add", "update", "show", "list", "delete"}) {
    Result r = RunTenant({"policy", cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.output, HasSubstr("--verifier")) << cmd;
  }
}

TEST_F(PolicyRemoteCliTest, AddUpdateShowListDelete) {
  const std::string v1_text = R"({"meta": {"version": 1}})";
  const std::string v2_text = R"({"meta": {"version": 2}})";
  std::string f1 = WriteFile("web1.json", v1_text);
  std::string f2 = WriteFile("web2.json", v2_text);

  nlohmann::json added =
      RunJson({"add", "web", "--kind", "runtime", "--file", f1});
  EXPECT_EQ(added["name"], "web");
  EXPECT_EQ(added["version"], 1);
  EXPECT_EQ(added["kind"], "POLICY_KIND_RUNTIME");
  EXPECT_EQ(added["sha256"], absl::BytesToHexString(crypto::Sha256(v1_text)));
  ASSERT_EQ(fake_->create_policy_requests().size(), 1u);
  EXPECT_EQ(fake_->create_policy_requests()[0].expected_sha256(),
            crypto::Sha256(v1_text));

  Result dup = Run({"add", "web", "--kind", "runtime", "--file", f1});
  EXPECT_EQ(dup.exit_code, 3) << dup.output;

  EXPECT_EQ(RunJson({"update", "web", "--file", f2})["version"], 2);
  EXPECT_EQ(RunJson({"update", "web", "--file", f2})["version"], 2);

  Result shown = Run({"show", "web"});
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_THAT(shown.output, HasSubstr("web"));
  EXPECT_THAT(shown.output, HasSubstr("runtime"));
  std::string out = Tmp() + "/content.json";
  Result content =
      Run({"show", "web", "--version", "1", "--content", "--out", out});
  EXPECT_EQ(content.exit_code, 0) << content.output;
  EXPECT_EQ(ReadFile(out), v1_text);

  RunJson({"add", "fw", "--kind", "boot", "--file", f1});
  nlohmann::json all = RunJson({"list"});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["name"], "fw");
  nlohmann::json runtime = RunJson({"list", "--kind", "runtime"});
  ASSERT_EQ(runtime.size(), 1u);
  EXPECT_EQ(runtime[0]["version"], 2);

  EXPECT_EQ(RunJson({"delete", "web"})["deleted"], "web");
  Result gone = Run({"show", "web"});
  EXPECT_EQ(gone.exit_code, 4) << gone.output;
  EXPECT_THAT(gone.output, HasSubstr("policy web not found at the verifier"));
}

TEST_F(PolicyRemoteCliTest, InputErrors) {
  std::string f = WriteFile("p.json", "{}");
  Result r = Run({"add", "p", "--kind", "firmware", "--file", f});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--kind: unknown policy kind 'firmware'"));
  r = Run({"add", "p", "--kind", "boot", "--file", Tmp() + "/none.json"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("none.json: no such file"));
  r = Run({"update", "nope", "--file", f});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("policy nope not found"));
  EXPECT_TRUE(fake_->create_policy_requests().empty());
}

}  // namespace
}  // namespace candor::tenant
