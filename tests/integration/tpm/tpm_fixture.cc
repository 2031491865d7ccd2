#include "tests/integration/tpm/tpm_fixture.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"

namespace candor::tpm::testing {

candor::testing::Swtpm* SwtpmTest::swtpm_ = nullptr;
absl::Status* SwtpmTest::start_status_ = nullptr;
candor::testing::TempDir* SwtpmTest::dir_ = nullptr;
std::map<std::pair<AkType, EkType>, AkBlobs>* SwtpmTest::aks_ = nullptr;

void SwtpmTest::SetUpTestSuite() {
  auto tpm = candor::testing::Swtpm::Start();
  start_status_ = new absl::Status(tpm.status());
  if (tpm.ok()) swtpm_ = tpm->release();
  auto dir = candor::testing::TempDir::Create(candor::testing::TestTmpRoot(),
                                              "candor-tpm-test.");
  if (dir.ok()) {
    dir_ = new candor::testing::TempDir(std::move(*dir));
  } else if (start_status_->ok()) {
    *start_status_ = dir.status();
  }
  aks_ = new std::map<std::pair<AkType, EkType>, AkBlobs>();
}

void SwtpmTest::TearDownTestSuite() {
  delete aks_;
  delete dir_;
  delete swtpm_;
  delete start_status_;
  aks_ = nullptr;
  dir_ = nullptr;
  swtpm_ = nullptr;
  start_status_ = nullptr;
}

void SwtpmTest::SetUp() {
  CANDOR_REQUIRE_RESOURCE(*start_status_);
  auto tpm = EsysTpm::Create(swtpm_->tcti());
  ASSERT_TRUE(tpm.ok()) << tpm.status();
  tpm_ = std::move(*tpm);
}

AkBlobs SwtpmTest::Ak(AkType type, EkType ek) {
  auto it = aks_->find({type, ek});
  if (it != aks_->end()) return it->second;
  auto blobs = tpm_->CreateAk(type, ek);
  EXPECT_TRUE(blobs.ok()) << blobs.status();
  if (!blobs.ok()) return AkBlobs{};
  (*aks_)[{type, ek}] = *blobs;
  return *blobs;
}

std::string SwtpmTest::Path(const std::string& name) const {
  return dir_->Sub(name);
}

absl::Status RequireTool(const std::string& tool) {
  const std::string path = "/usr/bin/" + tool;
  if (access(path.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is missing: install tpm2-tools (scripts/setup)"));
  }
  return absl::OkStatus();
}

absl::Status RunTool(const std::string& tool,
                     const std::vector<std::string>& args) {
  absl::Status s = RequireTool(tool);
  if (!s.ok()) return s;
  candor::testing::SubprocessOptions opts;
  opts.argv = {"/usr/bin/" + tool};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  opts.stdout_path = candor::testing::TestTmpRoot() + "/" + tool + ".out";
  opts.extra_env = {"TSS2_LOG=all+NONE"};
  return candor::testing::RunCommand(opts, absl::Seconds(30));
}

absl::StatusOr<std::string> Tpm2ToolsPcrsFile(const PcrSelection& selection,
                                              const PcrValues& values) {
  auto tpml = SelectionToTpml(selection);
  if (!tpml.ok()) return tpml.status();
  std::vector<TPML_DIGEST> lists;
  for (const BankSelection& bank : selection) {
    for (uint32_t pcr : bank.pcrs) {
      auto b = values.find(bank.bank);
      if (b == values.end() || b->second.count(pcr) == 0) {
        return absl::InvalidArgumentError(absl::StrCat("no PCR ", pcr));
      }
      const std::string& v = b->second.at(pcr);
      if (lists.empty() || lists.back().count == 8) lists.push_back({});
      TPM2B_DIGEST& d = lists.back().digests[lists.back().count++];
      d.size = static_cast<UINT16>(v.size());
      std::memcpy(d.buffer, v.data(), v.size());
    }
  }
  std::string out(reinterpret_cast<const char*>(&*tpml), sizeof(*tpml));
  const uint32_t count = static_cast<uint32_t>(lists.size());
  out.append(reinterpret_cast<const char*>(&count), sizeof(count));
  for (const TPML_DIGEST& l : lists) {
    out.append(reinterpret_cast<const char*>(&l), sizeof(l));
  }
  return out;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseMakeCredentialFile(
    const std::string& bytes) {
  auto be = [&](size_t off, size_t n) {
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | uint8_t(bytes[off + i]);
    return v;
  };
  if (bytes.size() < 12 || be(0, 4) != 0xBADCC0DE || be(4, 4) != 1) {
    return absl::InvalidArgumentError(
        "not a tpm2_makecredential file (magic 0xBADCC0DE, version 1)");
  }
  size_t off = 8;
  std::string parts[2];
  for (std::string& part : parts) {
    if (off + 2 > bytes.size() || off + 2 + be(off, 2) > bytes.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("makecredential file truncated at byte ", off));
    }
    const size_t n = 2 + be(off, 2);
    part = bytes.substr(off, n);
    off += n;
  }
  if (off != bytes.size()) {
    return absl::InvalidArgumentError("trailing bytes in makecredential file");
  }
  return std::make_pair(parts[0], parts[1]);
}

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace candor::tpm::testing
