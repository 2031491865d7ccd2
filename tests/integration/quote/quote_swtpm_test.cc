// Quotes made by tpm2-tools (tpm2_createak, tpm2_pcrextend, tpm2_quote) on a
// provisioned swtpm, checked by the built `tenant quote check` and in-process
// by lib/quote, for RSASSA, RSAPSS and ECDSA AKs: the genuine quote passes,
// a flipped message byte is quote.bad_signature, another nonce is
// quote.nonce_mismatch, and a second quote follows the first's clock.
//
// One swtpm serves the whole binary. swtpm has no resource manager, so every
// tool that loads something is followed by tpm2_flushcontext -t and -s.
// Under CI=true a missing swtpm or tpm2-tools fails; otherwise it skips.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/quote/pcr_list.h"
#include "lib/quote/tpm2_tools_files.h"
#include "lib/quote/verify.h"
#include "nlohmann/json.hpp"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"
#include "tests/harness/temp_dir.h"

namespace candor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kNonce[] = "5ca1ab1e0123456789abcdef0123456789abcdef";
constexpr char kSelection[] = "sha256:0,1,2,16+sha1:16";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TenantRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class QuoteSwtpmTest : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() {
    start_status_ = new absl::Status();
    for (const char* tool : {"tpm2_createak", "tpm2_quote", "tpm2_pcrextend",
                             "tpm2_flushcontext", "tpm2_readpublic"}) {
      if (access(absl::StrCat("/usr/bin/", tool).c_str(), X_OK) != 0) {
        *start_status_ = absl::FailedPreconditionError(
            absl::StrCat("/usr/bin/", tool,
                         " is missing: install tpm2-tools "
                         "(scripts/setup)"));
        return;
      }
    }
    auto dir = testing::TempDir::Create(testing::TestTmpRoot(), "quote.");
    if (!dir.ok()) {
      *start_status_ = dir.status();
      return;
    }
    dir_ = new testing::TempDir(*std::move(dir));
    auto tpm = testing::Swtpm::Start();
    *start_status_ = tpm.status();
    if (tpm.ok()) tpm_ = tpm->release();
  }
  static void TearDownTestSuite() {
    delete tpm_;
    tpm_ = nullptr;
    delete dir_;
    dir_ = nullptr;
    delete start_status_;
  }
  void SetUp() override { CANDOR_REQUIRE_RESOURCE(*start_status_); }

  static std::string Path(const std::string& name) { return dir_->Sub(name); }

  // Runs a tpm2-tools command against the swtpm; OK only on exit 0.
  static absl::Status Tool(const std::string& tool,
                           const std::vector<std::string>& args) {
    testing::SubprocessOptions o;
    o.argv = {"/usr/bin/" + tool};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.extra_env = {"TPM2TOOLS_TCTI=" + tpm_->tcti(), "TSS2_LOG=all+NONE"};
    o.stdout_path = Path(tool + ".out");
    return testing::RunCommand(o, absl::Seconds(60));
  }
  static absl::Status ToolAndFlush(const std::string& tool,
                                   const std::vector<std::string>& args) {
    absl::Status s = Tool(tool, args);
    absl::Status t = Tool("tpm2_flushcontext", {"-t"});
    absl::Status u = Tool("tpm2_flushcontext", {"-s"});
    if (!s.ok()) return s;
    return t.ok() ? u : t;
  }

  static TenantRun Tenant(const std::vector<std::string>& args) {
    static int n = 0;
    testing::SubprocessOptions o;
    o.argv = {std::string(std::getenv("TEST_SRCDIR")) +
              "/candor/cli/tenant/tenant"};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.stdout_path = Path(absl::StrCat("tenant.", n++, ".out"));
    TenantRun r;
    auto p = testing::Subprocess::Start(o);
    if (!p.ok()) {
      r.output = std::string(p.status().message());
      return r;
    }
    auto st = (*p)->Wait(absl::Seconds(30));
    r.exit_code = st.ok() && WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
    r.output = testing::FileTail(o.stdout_path, 1 << 20);
    return r;
  }

  // tenant -o json quote check on the files with prefix `q`.
  static TenantRun Check(const std::string& ak, const std::string& q,
                         const std::string& nonce = kNonce) {
    return Tenant({"-o", "json", "quote", "check", "--ak", ak, "--message",
                   q + ".msg", "--signature", q + ".sig", "--pcrs", q + ".pcrs",
                   "--nonce", nonce, "--pcr-list", kSelection});
  }
  static std::vector<std::string> FailureIds(const TenantRun& r) {
    std::vector<std::string> ids;
    size_t end = r.output.rfind("\n}");
    if (end == std::string::npos) return {"<no JSON>"};
    auto j = nlohmann::json::parse(r.output.substr(0, end + 2), nullptr,
                                   /*allow_exceptions=*/false);
    if (j.is_discarded()) return {"<bad JSON>"};
    for (const auto& f : j["failures"]) ids.push_back(f["id"]);
    return ids;
  }

  static testing::Swtpm* tpm_;
  static testing::TempDir* dir_;
  static absl::Status* start_status_;
};
testing::Swtpm* QuoteSwtpmTest::tpm_ = nullptr;
testing::TempDir* QuoteSwtpmTest::dir_ = nullptr;
absl::Status* QuoteSwtpmTest::start_status_ = nullptr;

TEST_P(QuoteSwtpmTest, Tpm2ToolsQuotesVerify) {
  const std::string scheme = GetParam();
  const std::string k = Path(scheme);
  ASSERT_TRUE(ToolAndFlush("tpm2_createak",
                           {"-C", "0x81010001", "-c", k + ".ctx", "-G",
                            scheme == "ecdsa" ? "ecc" : "rsa", "-g", "sha256",
                            "-s", scheme, "-u", k + ".pub", "-f", "tss"})
                  .ok());
  ASSERT_TRUE(ToolAndFlush("tpm2_readpublic",
                           {"-c", k + ".ctx", "-f", "pem", "-o", k + ".pem"})
                  .ok());
  // Move PCR 16 in both banks, so the quote covers a non-trivial value.
  const std::string sha256 = absl::BytesToHexString(std::string(32, scheme[2]));
  const std::string sha1 = absl::BytesToHexString(std::string(20, scheme[2]));
  ASSERT_TRUE(
      Tool("tpm2_pcrextend", {"16:sha256=" + sha256 + ",sha1=" + sha1}).ok());
  for (const char* q : {"first", "second"}) {
    ASSERT_TRUE(
        ToolAndFlush("tpm2_quote",
                     {"-c", k + ".ctx", "-l", kSelection, "-q", kNonce, "-g",
                      "sha256", "--scheme", scheme, "-m", k + "." + q + ".msg",
                      "-s", k + "." + q + ".sig", "-o", k + "." + q + ".pcrs"})
            .ok())
        << q;
  }
  const std::string first = k + ".first", second = k + ".second";

  // The tenant: genuine quotes pass, with either AK file.
  for (const std::string& ak : {k + ".pub", k + ".pem"}) {
    TenantRun r = Check(ak, first);
    EXPECT_EQ(r.exit_code, 0) << ak << ": " << r.output;
    EXPECT_THAT(FailureIds(r), ElementsAre());
  }
  TenantRun r = Tenant({"quote", "check", "--ak", k + ".pub", "--message",
                        second + ".msg", "--signature", second + ".sig",
                        "--pcrs", second + ".pcrs", "--nonce", kNonce,
                        "--previous-message", first + ".msg"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PASSED"));

  // One flipped byte in the message (inside extraData's nonce).
  std::string msg = ReadBytes(first + ".msg");
  ASSERT_GT(msg.size(), 60u);
  msg[60] ^= 0x01;
  ASSERT_TRUE(testing::WriteFile(k + ".flipped.msg", msg).ok());
  for (const char* ext : {".sig", ".pcrs"}) {
    ASSERT_TRUE(
        testing::WriteFile(k + ".flipped" + ext, ReadBytes(first + ext)).ok());
  }
  r = Check(k + ".pub", k + ".flipped");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(FailureIds(r), ElementsAre("quote.bad_signature"));

  // Another nonce than the quote was made with.
  r = Check(k + ".pub", first, "00112233445566778899aabbccddeeff00112233");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(FailureIds(r), ElementsAre("quote.nonce_mismatch"));

  // In-process, through lib/quote.
  auto ak = quote::AkVerifier::Create(ReadBytes(k + ".pub"));
  ASSERT_TRUE(ak.ok()) << ak.status();
  const tpm::PcrSelection requested = *quote::ParsePcrList(kSelection);
  const std::string nonce = absl::HexStringToBytes(kNonce);
  std::optional<quote::ClockInfo> previous;
  for (const std::string& q : {first, second}) {
    auto pcrs = quote::ParseTpm2ToolsPcrs(ReadBytes(q + ".pcrs"),
                                          quote::PcrsFormat::kSerialized);
    ASSERT_TRUE(pcrs.ok()) << pcrs.status();
    const std::string attest = ReadBytes(q + ".msg");
    const std::string signature = ReadBytes(q + ".sig");
    quote::QuoteInput in;
    in.attest = attest;
    in.signature = signature;
    in.pcr_values = &pcrs->values;
    in.requested = &requested;
    in.nonce = nonce;
    in.previous_clock = previous;
    auto result = quote::VerifyQuote(**ak, in);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->ok())
        << q << ": "
        << (result->failures.empty() ? "" : result->failures[0].message());
    EXPECT_EQ(pcrs->values.at(TPM2_ALG_SHA256).at(16).size(), 32u);
    EXPECT_NE(pcrs->values.at(TPM2_ALG_SHA256).at(16), std::string(32, '\0'));
    previous = result->attest->clock_info;
  }
}

INSTANTIATE_TEST_SUITE_P(Schemes, QuoteSwtpmTest,
                         ::testing::Values("rsassa", "rsapss", "ecdsa"));

}  // namespace
}  // namespace candor
