#include "tests/integration/tools/tools_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/common/file_util.h"
#include "lib/tpm/esys_tpm.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"

namespace candor::tools::testing {

candor::testing::Swtpm* SwtpmToolsTest::swtpm_ = nullptr;
absl::Status* SwtpmToolsTest::start_status_ = nullptr;

absl::StatusOr<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                         const std::vector<std::string>& env) {
  static int counter = 0;
  candor::testing::SubprocessOptions o;
  o.argv = argv;
  o.extra_env = env;
  o.stdout_path = absl::StrCat(candor::testing::TestTmpRoot(), "/run-",
                               getpid(), "-", ++counter, ".out");
  auto p = candor::testing::Subprocess::Start(o);
  if (!p.ok()) return p.status();
  auto status = (*p)->Wait(absl::Seconds(120));
  if (!status.ok()) return status.status();
  ProgramResult r;
  r.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  r.output = ReadFile(o.stdout_path).value_or("");
  unlink(o.stdout_path.c_str());
  return r;
}

std::string ToolPath(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".", "/candor/tools/", name);
}

absl::StatusOr<ProgramResult> RunTool(const std::string& name,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> argv = {ToolPath(name)};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

absl::StatusOr<ProgramResult> RunTpm2(const std::string& tcti,
                                      const std::string& tool,
                                      const std::vector<std::string>& args) {
  const std::string path = "/usr/bin/" + tool;
  if (access(path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is missing: install tpm2-tools (scripts/setup)"));
  }
  std::vector<std::string> argv = {path};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, {"TPM2TOOLS_TCTI=" + tcti});
}

absl::StatusOr<tpm::PcrValues> ParsePcrYaml(absl::string_view text,
                                            absl::string_view after) {
  tpm::PcrValues out;
  bool started = after.empty();
  TPM2_ALG_ID bank = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::string_view t = absl::StripAsciiWhitespace(line);
    if (!started) {
      started = t == after;
      continue;
    }
    if (absl::ConsumeSuffix(&t, ":")) {
      auto b = tpm::ParseBankName(t);
      if (b.ok()) bank = *b;
      continue;
    }
    std::vector<absl::string_view> kv = absl::StrSplit(t, ':');
    uint32_t pcr = 0;
    if (kv.size() != 2 || bank == 0 ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(kv[0]), &pcr)) {
      continue;
    }
    absl::string_view hex = absl::StripAsciiWhitespace(kv[1]);
    if (!absl::ConsumePrefix(&hex, "0x")) continue;
    out[bank][pcr] = absl::HexStringToBytes(absl::AsciiStrToLower(hex));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no PCR values in: ", text.substr(0, 500)));
  }
  return out;
}

std::string PcrSpec(const std::vector<TPM2_ALG_ID>& banks,
                    const std::vector<uint32_t>& pcrs) {
  std::vector<std::string> parts;
  for (TPM2_ALG_ID b : banks) {
    parts.push_back(
        absl::StrCat(tpm::BankName(b), ":", absl::StrJoin(pcrs, ",")));
  }
  return absl::StrJoin(parts, "+");
}

void SwtpmToolsTest::SetUpTestSuite() {
  auto tpm = candor::testing::Swtpm::Start();
  start_status_ = new absl::Status(tpm.status());
  if (tpm.ok()) swtpm_ = tpm->release();
}

void SwtpmToolsTest::TearDownTestSuite() {
  delete swtpm_;
  delete start_status_;
  swtpm_ = nullptr;
  start_status_ = nullptr;
}

void SwtpmToolsTest::SetUp() {
  CANDOR_REQUIRE_RESOURCE(*start_status_);
  CANDOR_REQUIRE_RESOURCE(RunTpm2(tcti(), "tpm2_pcrread", {"sha1:0"}));
  auto dir = candor::testing::TempDir::Create(candor::testing::TestTmpRoot(),
                                              "candor-tools-test.");
  ASSERT_TRUE(dir.ok()) << dir.status();
  dir_ = std::move(*dir);
  // A freshly booted TPM for every test.
  ASSERT_TRUE(swtpm_->Ioctl("-i").ok());
  auto started = RunTpm2(tcti(), "tpm2_startup", {"-c"});
  ASSERT_TRUE(started.ok() && started->exit_code == 0)
      << started.status() << (started.ok() ? started->output : "");
}

tpm::PcrValues SwtpmToolsTest::PcrRead(const std::vector<TPM2_ALG_ID>& banks,
                                       const std::vector<uint32_t>& pcrs) {
  auto r = RunTpm2(tcti(), "tpm2_pcrread", {PcrSpec(banks, pcrs)});
  EXPECT_TRUE(r.ok() && r->exit_code == 0)
      << r.status() << (r.ok() ? r->output : "");
  if (!r.ok()) return {};
  auto v = ParsePcrYaml(r->output);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.value_or(tpm::PcrValues());
}

tpm::PcrValues SwtpmToolsTest::EsysPcrs(const std::vector<TPM2_ALG_ID>& banks,
                                        const std::vector<uint32_t>& pcrs) {
  auto t = tpm::EsysTpm::Create(tcti());
  EXPECT_TRUE(t.ok()) << t.status();
  if (!t.ok()) return {};
  tpm::PcrSelection sel;
  for (TPM2_ALG_ID b : banks) sel.push_back({b, pcrs});
  auto v = (*t)->ReadPcrs(sel);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.value_or(tpm::PcrValues());
}

uint64_t SwtpmToolsTest::ResetCount() {
  auto r = RunTpm2(tcti(), "tpm2_readclock", {});
  EXPECT_TRUE(r.ok() && r->exit_code == 0);
  if (!r.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(r->output, '\n')) {
    absl::string_view t = absl::StripAsciiWhitespace(line);
    uint64_t n = 0;
    if (absl::ConsumePrefix(&t, "reset_count:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(t), &n)) {
      return n;
    }
  }
  ADD_FAILURE() << "no reset_count in: " << r->output;
  return 0;
}

}  // namespace candor::tools::testing
