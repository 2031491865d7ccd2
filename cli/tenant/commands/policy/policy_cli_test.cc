// Runs `tenant policy create|check` (the built binary) on Keylime's fixture
// logs and policies, and checks what a user would see: outputs, JSON
// shapes, exit codes and error messages naming the files.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/ima/hex.h"
#include "lib/ima/replay.h"
#include "nlohmann/json.hpp"
#include "cli/tenant/testing/run_tenant.h"
#include "tests/harness/subprocess.h"

namespace {

using ::testing::HasSubstr;

constexpr char kDir[] = "tests/testdata/keylime/create-runtime-policy/";

using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result Tenant(std::vector<std::string> args) {
  return candor::tenant::RunTenant(args);
}

nlohmann::json Json(const std::string& path) {
  std::string text = ReadFile(path);
  EXPECT_FALSE(text.empty()) << path;
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

TEST(PolicyCliTest, HelpEverywhere) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"policy", "--help"},
        {"policy", "create", "--help"},
        {"policy", "check", "--help"}}) {
    Result r = Tenant(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_THAT(r.output, HasSubstr("Usage"));
  }
  EXPECT_THAT(Tenant({"policy", "create", "--help"}).output,
              HasSubstr("--ima-log"));
  EXPECT_THAT(Tenant({"policy", "check", "--help"}).output,
              HasSubstr("--pcr10"));
}

TEST(PolicyCliTest, FixtureLogsPassPoliciesMadeFromThemAndFailMergeBases) {
  for (const char* alg : {"sha1", "sha256", "sha384", "sha512"}) {
    SCOPED_TRACE(alg);
    const std::string log = absl::StrCat(kDir, "ima-log-", alg);
    const std::string policy =
        absl::StrCat(Tmp(), "/policy-from-", alg, ".json");
    Result r = Tenant({"--out", policy, "policy", "create", "--ima-log", log});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    nlohmann::json p = Json(policy);
    EXPECT_EQ(p["meta"]["version"], 1);
    EXPECT_EQ(p["meta"]["generator"], 0);
    EXPECT_TRUE(p["digests"].contains("boot_aggregate"));
    EXPECT_TRUE(p["digests"].contains("/data"));

    const std::string out = absl::StrCat(Tmp(), "/check-", alg, ".json");
    r = Tenant({"-o", "json", "--out", out, "policy", "check", "--ima-log", log,
                "--policy", policy});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(Json(out), nlohmann::json::parse(
                             R"({"ok": true, "entries": 2, "failures": []})"));

    r = Tenant({"-o", "json", "--out", out, "policy", "check", "--ima-log", log,
                "--policy", absl::StrCat(kDir, "policy-", alg)});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(Json(out), nlohmann::json::parse(R"({"ok": false, "entries": 2,
        "failures": [
          {"line": 1, "path": "boot_aggregate", "id": "ima.not_in_policy"},
          {"line": 2, "path": "/data", "id": "ima.not_in_policy"}]})"));
    // Exactly these keys, in this order.
    EXPECT_EQ(ReadFile(out).find("\"ok\""), 4u);
  }
}

TEST(PolicyCliTest, TableOutputListsFailures) {
  Result r = Tenant({"policy", "check", "--ima-log",
                     absl::StrCat(kDir, "ima-log-sha256"), "--policy",
                     absl::StrCat(kDir, "policy-sha256")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("2     ima.not_in_policy  /data"));
  EXPECT_THAT(r.output, HasSubstr("2 entries checked: 2 failures"));
}

TEST(PolicyCliTest, QuotedPcr10) {
  const std::string log = absl::StrCat(kDir, "ima-log-sha256");
  const std::string policy = Tmp() + "/pcr-policy.json";
  ASSERT_EQ(
      Tenant({"--out", policy, "policy", "create", "--ima-log", log}).exit_code,
      0);
  // The PCR 10 this log gives on the SHA-256 bank (per-bank extends).
  std::string text = ReadFile(log);
  std::vector<absl::string_view> lines;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.push_back(l);
  }
  std::vector<candor::v1::Failure> findings;
  auto r0 = candor::ima::Replay(
      *candor::ima::ReplayState::AtBoot(TPM2_ALG_SHA256,
                                        candor::ima::ExtendMode::kPerBank),
      lines, {}, [](const candor::ima::Entry&, uint64_t, absl::string_view) {},
      &findings);
  ASSERT_TRUE(r0.ok());
  const std::string pcr = candor::ima::HexEncode(r0->state.pcr10);

  const std::string out = Tmp() + "/pcr.json";
  Result r = Tenant({"-o", "json", "--out", out, "policy", "check", "--ima-log",
                     log, "--policy", policy, "--pcr10", pcr});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Json(out)["ok"], true);

  std::string wrong = pcr;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  r = Tenant({"-o", "json", "--out", out, "policy", "check", "--ima-log", log,
              "--policy", policy, "--pcr10", wrong});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json j = Json(out);
  ASSERT_EQ(j["failures"].size(), 1u);
  EXPECT_EQ(j["failures"][0]["id"], "ima.pcr_mismatch");
  EXPECT_EQ(j["failures"][0]["line"], 0);

  r = Tenant({"policy", "check", "--ima-log", log, "--policy", policy,
              "--pcr10", "abcd"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("--pcr10"));
  r = Tenant({"policy", "check", "--ima-log", log, "--policy", policy,
              "--pcr10", pcr.substr(0, 40), "--bank", "sha1"});
  EXPECT_EQ(r.exit_code, 1) << r.output;  // a valid SHA-1 value, never reached
}

TEST(PolicyCliTest, BadAndMissingFilesAreNamed) {
  Result r = Tenant(
      {"policy", "create", "--ima-log", absl::StrCat(kDir, "ima-log-unknown")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("ima-log-unknown: line 1: template hash"));

  r = Tenant({"policy", "check", "--ima-log",
              absl::StrCat(kDir, "ima-log-unknown"), "--policy",
              absl::StrCat(kDir, "policy-sha256")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("ima.log_malformed"));

  r = Tenant({"policy", "check", "--ima-log", "/no/such/log", "--policy",
              absl::StrCat(kDir, "policy-sha256")});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.output, HasSubstr("--ima-log /no/such/log: no such file"));

  r = Tenant({"policy", "check", "--ima-log",
              absl::StrCat(kDir, "ima-log-sha1"), "--policy",
              "/no/such/policy"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.output, HasSubstr("/no/such/policy"));

  // A log is not a policy.
  r = Tenant({"policy", "check", "--ima-log",
              absl::StrCat(kDir, "ima-log-sha1"), "--policy",
              absl::StrCat(kDir, "ima-log-sha1")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("--policy "));
  EXPECT_THAT(r.output, HasSubstr("allowlist line 1"));

  r = Tenant({"policy", "create", "--ima-log",
              absl::StrCat(kDir, "ima-log-sha1"), "--exclude", "(?<=x)"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.output, HasSubstr("--exclude: excludes[0]"));
}

TEST(PolicyCliTest, UsageErrors) {
  EXPECT_EQ(Tenant({"policy"}).exit_code, 2);
  EXPECT_EQ(Tenant({"policy", "create"}).exit_code, 2);
  EXPECT_EQ(
      Tenant({"policy", "create", "--dir", "/x", "--ima-log", "/y"}).exit_code,
      2);
  EXPECT_EQ(Tenant({"policy", "create", "--ima-log", "/y", "--algo", "sha1"})
                .exit_code,
            2);
  EXPECT_EQ(Tenant({"policy", "check", "--ima-log", "/y"}).exit_code, 2);
}

TEST(PolicyCliTest, CreateFromDirectoryAndLegacyAllowlist) {
  const std::string root = Tmp() + "/tree";
  ASSERT_EQ(mkdir(root.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root + "/bin").c_str(), 0755), 0);
  std::ofstream(root + "/bin/tool") << "tool";
  std::ofstream(root + "/bin/skip.log") << "log";
  const std::string out = Tmp() + "/tree.json";
  Result r = Tenant({"--out", out, "policy", "create", "--dir", root,
                     "--exclude", ".*\\.log$", "--algo", "sha384"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = Json(out);
  ASSERT_EQ(j["digests"].size(), 1u);
  EXPECT_EQ(j["digests"]["/bin/tool"][0].get<std::string>().size(), 96u);
  EXPECT_EQ(j["excludes"][0], ".*\\.log$");

  r = Tenant({"policy", "create", "--dir", Tmp() + "/missing"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.output, HasSubstr("--dir"));

  // The legacy allowlist loads (its path is "data", so /data fails).
  r = Tenant({"policy", "check", "--ima-log",
              absl::StrCat(kDir, "ima-log-sha256"), "--policy",
              absl::StrCat(kDir, "allowlist-sha256")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("/data"));
}

}  // namespace
