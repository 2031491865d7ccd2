// Runs //cli/tenant:tenant as a user would and checks what they would see.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/tenant/testing/run_tenant.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/harness/subprocess.h"

namespace {

using ::testing::HasSubstr;

using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

Result Tenant(std::vector<std::string> args) {
  return candor::tenant::RunTenant(args);
}

TEST(TenantCliTest, HelpListsCommandsAndExitCodes) {
  Result r = Tenant({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("failures"));
  EXPECT_THAT(r.output, HasSubstr("health"));
  for (const char* group : {"agent", "bootlog", "certs", "policy", "quote",
                            "registrar", "version", "watch"}) {
    EXPECT_THAT(r.output, HasSubstr(absl::StrCat("\n  ", group, " "))) << group;
  }
  EXPECT_THAT(r.output, HasSubstr("-o,--output"));
  EXPECT_THAT(r.output, HasSubstr("Exit codes"));
}

TEST(TenantCliTest, EverySubcommandHasHelp) {
  for (const char* cmd : {"agent", "bootlog", "certs", "failures", "health",
                          "policy", "quote", "registrar", "version", "watch"}) {
    Result r = Tenant({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("Usage")) << cmd;
  }
}

TEST(TenantCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Tenant({}).exit_code, 2);
  EXPECT_EQ(Tenant({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(Tenant({"-o", "yaml", "version"}).exit_code, 2);
  Result r = Tenant({"health"});  // --address is required
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--address"));
}

TEST(TenantCliTest, FailuresAsJsonToFile) {
  std::string path = Tmp() + "/failures.json";
  Result r =
      Tenant({"-o", "json", "--out", path, "failures", "--match", "^ima\\."});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_TRUE(j.is_array());
  ASSERT_FALSE(j.empty());
  bool seen = false;
  for (const auto& f : j) {
    EXPECT_EQ(f["id"].get<std::string>().rfind("ima.", 0), 0u);
    if (f["id"] == "ima.not_in_policy") seen = true;
  }
  EXPECT_TRUE(seen);
}

TEST(TenantCliTest, GlobalOptionsMayFollowTheCommand) {
  // As the issue and README type it: `tenant failures ... -o json --out F`.
  std::string path = Tmp() + "/after.json";
  Result r =
      Tenant({"failures", "--match", "^quote\\.", "-o", "json", "--out", path});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(path);
  nlohmann::json j = nlohmann::json::parse(in);
  ASSERT_TRUE(j.is_array());
  EXPECT_FALSE(j.empty());
}

TEST(TenantCliTest, BadRegexIsBadInput) {
  Result r = Tenant({"failures", "--match", "(unclosed"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("not a valid RE2 regex"));
}

TEST(TenantCliTest, UnreachableServerSaysSoAndExitsSix) {
  Result r = Tenant(
      {"--insecure", "--timeout", "2", "health", "--address", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_THAT(r.output, HasSubstr("127.0.0.1:1"));
}

}  // namespace
