// Runs //cli/tenant:tenant's bootlog commands as a user would.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "cli/tenant/testing/run_tenant.h"
#include "tests/harness/subprocess.h"

namespace {

using ::testing::HasSubstr;

constexpr char kLog[] =
    "tests/testdata/keylime/create-mb-policy/binary_bios_measurements";
constexpr char kSbLog[] =
    "tests/testdata/keylime/create-mb-policy/"
    "binary_bios_measurements-secureboot";

using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

Result Tenant(std::vector<std::string> args) {
  return candor::tenant::RunTenant(args);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BootlogCliTest, HelpEverywhere) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"bootlog", "--help"},
        {"bootlog", "show", "--help"},
        {"bootlog", "refstate", "--help"},
        {"bootlog", "check", "--help"}}) {
    Result r = Tenant(args);
    EXPECT_EQ(r.exit_code, 0) << args[1] << r.output;
    EXPECT_THAT(r.output, HasSubstr("Usage"));
  }
  EXPECT_EQ(Tenant({"bootlog"}).exit_code, 2);
  EXPECT_EQ(Tenant({"bootlog", "show"}).exit_code, 2);  // FILE is required
}

TEST(BootlogCliTest, ShowJsonHasEventsAndPcrs) {
  std::string out = Tmp() + "/show.json";
  Result r = Tenant({"bootlog", "show", kLog, "-o", "json", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(Slurp(out));
  ASSERT_EQ(j["events"].size(), 121u);
  EXPECT_EQ(j["pcrs"]["sha256"]["7"],
            "741fd028c51b4d2fbdcc7f28014cc758d17ccc1fe2ea7ca17b0e8009480a557c");
  EXPECT_EQ(j["pcrs"]["sha1"]["9"], "08bdebbac6f5d9be59e98a5cf5ae90e83970b548");
  const nlohmann::json& sb = j["events"][12];
  EXPECT_EQ(sb["type"], "EV_EFI_VARIABLE_DRIVER_CONFIG");
  EXPECT_EQ(sb["pcr"], 7);
  EXPECT_EQ(sb["details"]["variable"]["name"], "SecureBoot");
  EXPECT_EQ(sb["details"]["variable"]["secure_boot"], false);
  EXPECT_EQ(
      j["events"][52]["details"]["image"]["device_path"]
              .get<std::string>()
              .find("File(\\EFI\\fedora\\shimx64.efi)") != std::string::npos,
      true);
  EXPECT_EQ(j["events"][118]["details"]["text"].get<std::string>().rfind(
                "kernel_cmdline: ", 0),
            0u);
  EXPECT_EQ(j["events"][3]["digests"]["sha1"],
            "19b3eec11cd5ee47584133d943e2c497093e2d79");
  EXPECT_EQ(j["spec_id"]["algorithms"].size(), 2u);
}

TEST(BootlogCliTest, ShowTable) {
  Result r = Tenant({"bootlog", "show", kSbLog});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("EV_EFI_BOOT_SERVICES_APPLICATION"));
  EXPECT_THAT(r.output, HasSubstr("SecureBoot = 1 (on)"));
  EXPECT_THAT(r.output, HasSubstr("REPLAYED VALUE"));
  EXPECT_THAT(r.output, HasSubstr("MokList"));
}

TEST(BootlogCliTest, ShowBase64) {
  Result r = Tenant(
      {"-o", "json", "bootlog", "show", "tests/testdata/keylime/mb_log.b64"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\"pcrs\""));
}

TEST(BootlogCliTest, BadLogsExitThreeNamingFileAndOffset) {
  for (const char* f :
       {"binary_bios_measurements-empty", "binary_bios_measurements-bogus"}) {
    std::string path =
        std::string("tests/testdata/keylime/create-mb-policy/") + f;
    for (const char* cmd : {"show", "refstate", "check"}) {
      Result r = Tenant({"bootlog", cmd, path});
      EXPECT_EQ(r.exit_code, 3) << cmd << " " << f << ": " << r.output;
      EXPECT_THAT(r.output, HasSubstr(path));
      EXPECT_THAT(r.output, HasSubstr("byte offset 0"));
    }
  }
  EXPECT_EQ(Tenant({"bootlog", "show", "no-such-file"}).exit_code, 4);
}

TEST(BootlogCliTest, RefstateThenCheckPasses) {
  std::string state = Tmp() + "/sb_state.json";
  Result r = Tenant({"bootlog", "refstate", kSbLog, "--out", state});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(Slurp(state));
  EXPECT_EQ(j["has_secureboot"], true);
  EXPECT_EQ(
      j["kernels"][0]["kernel_authcode_sha256"],
      "0x219b8b53c54951cd07a580622e384391bbd9e113448a12ad319903fcafb81e79");
  r = Tenant({"bootlog", "check", kSbLog, "--policy", state});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("the log passes"));
  // The other log fails the same state: exit 1, failures listed.
  r = Tenant({"-o", "json", "bootlog", "check", kLog, "--policy", state});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("boot.secureboot_disabled"));
  EXPECT_THAT(r.output, HasSubstr("boot.kernel_not_allowed"));
}

TEST(BootlogCliTest, RefstateWithoutSecureBootNeedsTheFlag) {
  Result r = Tenant({"bootlog", "refstate", kLog});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--without-secureboot"));
  r = Tenant({"bootlog", "refstate", kLog, "--without-secureboot"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["has_secureboot"], false);
  EXPECT_EQ(j["kernels"][0].count("vmlinuz_plain_sha256"), 1u);
}

TEST(BootlogCliTest, CheckWithBadPolicy) {
  std::string bad = Tmp() + "/bad.json";
  std::ofstream(bad) << R"({"policy": "reject-all", "extra": 1})";
  Result r = Tenant({"bootlog", "check", kLog, "--policy", bad});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr(bad));
  std::string reject = Tmp() + "/reject.json";
  std::ofstream(reject) << R"({"policy": "reject-all"})";
  r = Tenant({"bootlog", "check", kLog, "--policy", reject});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("boot.policy_reject_all"));
}

}  // namespace
