// Runs the built tenant's `quote check` on the golden swtpm quotes of
// lib/quote/testdata (recorded with tpm2-tools), as a user would.
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

using Result = candor::testing::CommandResult;

std::string Tmp() { return std::getenv("TEST_TMPDIR"); }
std::string Golden(const std::string& name) {
  return std::string(std::getenv("TEST_SRCDIR")) +
         "/candor/lib/quote/testdata/" + name;
}
std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string Write(const std::string& name, const std::string& data) {
  std::string path = Tmp() + "/" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}
std::string Nonce() {
  std::string n = Read(Golden("nonce.hex"));
  while (!n.empty() && n.back() == '\n') n.pop_back();
  return n;
}

Result Tenant(std::vector<std::string> args) {
  return candor::tenant::RunTenant(args);
}

// `tenant [-o json] quote check` on golden case `c` with overrides.
std::vector<std::string> Check(const std::string& c, bool json = false,
                               const std::string& ak = "") {
  std::vector<std::string> args;
  if (json) args = {"-o", "json"};
  std::vector<std::string> rest = {
      "quote",       "check",
      "--ak",        ak.empty() ? Golden(c + ".ak.pub") : ak,
      "--message",   Golden(c + ".msg"),
      "--signature", Golden(c + ".sig"),
      "--pcrs",      Golden(c + ".pcrs"),
      "--nonce",     Nonce()};
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}
void Set(std::vector<std::string>* args, const std::string& option,
         const std::string& value) {
  for (size_t i = 0; i + 1 < args->size(); ++i) {
    if ((*args)[i] == option) {
      (*args)[i + 1] = value;
      return;
    }
  }
  args->push_back(option);
  args->push_back(value);
}
nlohmann::json Json(const Result& r) {
  // stderr (the error line) follows the JSON document.
  size_t end = r.output.rfind("\n}");
  return nlohmann::json::parse(r.output.substr(0, end + 2));
}
std::vector<std::string> Ids(const nlohmann::json& list) {
  std::vector<std::string> ids;
  for (const auto& f : list) ids.push_back(f["id"]);
  return ids;
}

TEST(QuoteCheckTest, HelpNamesTheOptions) {
  Result r = Tenant({"quote", "check", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* o : {"--ak", "--message", "--signature", "--pcrs", "--nonce",
                        "--pcr-list", "--previous-message", "--pcrs-format"}) {
    EXPECT_THAT(r.output, HasSubstr(o));
  }
  EXPECT_EQ(Tenant({"quote", "--help"}).exit_code, 0);
  EXPECT_EQ(Tenant({"quote"}).exit_code, 2);
  EXPECT_EQ(Tenant({"quote", "check"}).exit_code, 2);  // required options
}

TEST(QuoteCheckTest, GoldenQuotesPass) {
  for (const char* c : {"rsassa_sha256", "rsapss_sha256", "ecdsa_p256_sha256",
                        "rsassa_sha384", "ecdsa_p384_sha384"}) {
    for (const std::string& ak : {Golden(std::string(c) + ".ak.pub"),
                                  Golden(std::string(c) + ".ak.pem")}) {
      Result r = Tenant(Check(c, true, ak));
      ASSERT_EQ(r.exit_code, 0) << c << " " << ak << ": " << r.output;
      nlohmann::json j = Json(r);
      EXPECT_TRUE(j["ok"].get<bool>());
      EXPECT_TRUE(j["failures"].empty());
      EXPECT_EQ(j["quote"]["pcr_selection"], "sha256:0,1,2,3,10,16+sha1:10,16");
      EXPECT_EQ(j["quote"]["extra_data"], Nonce());
      EXPECT_EQ(j["quote"]["firmware_version"], "0x2019102300163636");
      EXPECT_TRUE(j["signature"]["verified"].get<bool>());
    }
  }
  Result table = Tenant(Check("rsassa_sha256"));
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("PASSED"));
  EXPECT_THAT(table.output, HasSubstr("rsassa-sha256, verified"));
}

TEST(QuoteCheckTest, UnsafeClockWarnsButPasses) {
  Result r = Tenant(Check("after_reset", true));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json j = Json(r);
  EXPECT_THAT(Ids(j["warnings"]), ::testing::ElementsAre("quote.clock_unsafe"));
  EXPECT_EQ(j["warnings"][0]["severity"], "warning");
  EXPECT_FALSE(j["quote"]["safe"].get<bool>());
}

TEST(QuoteCheckTest, TamperedQuotesFailWithTheirIds) {
  // A flipped byte in the message.
  std::string msg = Read(Golden("rsassa_sha256.msg"));
  msg[60] ^= 1;
  auto args = Check("rsassa_sha256", true);
  Set(&args, "--message", Write("flipped.msg", msg));
  Result r = Tenant(args);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(Ids(Json(r)["failures"]),
              ::testing::ElementsAre("quote.bad_signature"));
  EXPECT_THAT(r.output, HasSubstr("tenant: error: the quote failed: "
                                  "quote.bad_signature"));
  // Another nonce.
  args = Check("ecdsa_p256_sha256", true);
  Set(&args, "--nonce", "00112233445566778899aabbccddeeff00112233");
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(Ids(Json(r)["failures"]),
              ::testing::ElementsAre("quote.nonce_mismatch"));
  // Other PCR values: the later quote's file (same PCRs) is fine, the
  // after-reset file (PCR 16 zero) is not.
  args = Check("rsassa_sha256", true);
  Set(&args, "--pcrs", Golden("after_reset.pcrs"));
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(Ids(Json(r)["failures"]),
              ::testing::ElementsAre("quote.pcr_digest_mismatch"));
  // A selection other than the quoted one.
  args = Check("rsassa_sha256", true);
  Set(&args, "--pcr-list", "sha256:0,1,2,3,10,16");
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(Ids(Json(r)["failures"]),
              ::testing::ElementsAre("quote.pcr_selection_mismatch"));
  // A truncated message is a malformed quote, not bad input.
  args = Check("rsassa_sha256");
  Set(&args, "--message", Write("short.msg", msg.substr(0, 50)));
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("quote.malformed"));
}

TEST(QuoteCheckTest, ClockAgainstAnEarlierQuote) {
  auto args =
      Check("rsassa_sha256.later", false, Golden("rsassa_sha256.ak.pub"));
  Set(&args, "--previous-message", Golden("rsassa_sha256.msg"));
  Result r = Tenant(args);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  args = Check("rsassa_sha256", true);
  Set(&args, "--previous-message", Golden("rsassa_sha256.later.msg"));
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(Ids(Json(r)["failures"]),
              ::testing::ElementsAre("quote.clock_regression"));
}

TEST(QuoteCheckTest, MessageWithTpm2bSizeIsAccepted) {
  std::string msg = Read(Golden("ecdsa_p256_sha256.msg"));
  std::string tpm2b = std::string(1, '\0') +
                      std::string(1, static_cast<char>(msg.size())) + msg;
  auto args = Check("ecdsa_p256_sha256");
  Set(&args, "--message", Write("tpm2b.msg", tpm2b));
  EXPECT_EQ(Tenant(args).exit_code, 0);
}

TEST(QuoteCheckTest, BadInputExitsThreeOrFour) {
  auto args = Check("rsassa_sha256");
  Set(&args, "--pcrs", Tmp() + "/no-such-file");
  Result r = Tenant(args);
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--pcrs"));
  EXPECT_THAT(r.output, HasSubstr("no-such-file"));

  std::string pcrs = Read(Golden("rsassa_sha256.pcrs"));
  args = Check("rsassa_sha256");
  Set(&args, "--pcrs", Write("short.pcrs", pcrs.substr(0, 600)));
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("short.pcrs"));

  args = Check("rsassa_sha256");
  Set(&args, "--ak", Golden("rsassa_sha256.msg"));
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--ak"));

  for (const char* nonce : {"abc", "xyz0", ""}) {
    args = Check("rsassa_sha256");
    Set(&args, "--nonce", nonce);
    r = Tenant(args);
    EXPECT_EQ(r.exit_code, 3) << nonce << ": " << r.output;
  }
  args = Check("rsassa_sha256");
  Set(&args, "--pcr-list", "sha256:99");
  EXPECT_EQ(Tenant(args).exit_code, 3);
  args = Check("rsassa_sha256");
  Set(&args, "--previous-message", Write("junk.msg", "junk"));
  r = Tenant(args);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("junk.msg"));
}

}  // namespace
