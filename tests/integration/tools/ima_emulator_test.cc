// ima_emulator on a real swtpm after a generated boot: the log it writes
// (ima-ng and ima-sig, signed entries with RSA and EC keys, a violation, a
// named local file) replays with lib/ima to the TPM's PCR 10 in the sha1
// and sha256 banks, its boot_aggregate is H(PCR0..9), and its signatures
// verify with lib/ima's keyring code.
#include <chrono>
#include <iostream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/keys.h"
#include "lib/ima/boot_aggregate.h"
#include "lib/ima/entry.h"
#include "lib/ima/hex.h"
#include "lib/ima/keyring.h"
#include "lib/ima/replay.h"
#include "tests/integration/tools/tools_fixture.h"

namespace candor::tools::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kKeys[] = "tests/testdata/keylime/ima_keys/";
const std::vector<TPM2_ALG_ID> kBanks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};

class ImaEmulatorTest : public SwtpmToolsTest {
 protected:
  void SetUp() override {
    SwtpmToolsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    log_ = Path("ascii_runtime_measurements");
    auto r = RunTool("bootlog_gen", {"--tcti", tcti(), "--out", Path("bios")});
    ASSERT_TRUE(r.ok() && r->exit_code == 0) << r->output;
  }

  void Ima(std::vector<std::string> args) {
    std::vector<std::string> all = {"--tcti", tcti(), "--log", log_};
    all.insert(all.end(), args.begin(), args.end());
    auto r = RunTool("ima_emulator", all);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->exit_code, 0) << r->output;
  }

  std::vector<std::string> Lines() {
    return absl::StrSplit(*ReadFile(log_), '\n', absl::SkipEmpty());
  }

  // Replays the whole log offline in `bank`; returns the final PCR 10 and
  // collects findings.
  std::string Replay(TPM2_ALG_ID bank,
                     std::vector<candor::v1::Failure>* findings) {
    std::vector<std::string> lines = Lines();
    std::vector<absl::string_view> views(lines.begin(), lines.end());
    auto state = ima::ReplayState::AtBoot(bank, ima::ExtendMode::kPerBank);
    ima::ReplayOptions o;
    o.check_template_hash = true;
    auto r = ima::Replay(
        *state, views, o, [](const ima::Entry&, uint64_t, absl::string_view) {},
        findings);
    EXPECT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->chain_broken);
    EXPECT_EQ(r->consumed, lines.size());
    return r->state.pcr10;
  }

  // The replay reaches the TPM's PCR 10 (read by tpm2_pcrread) in both
  // banks, also when given the quoted value as the verifier does.
  void ExpectReplayMatchesTpm() {
    tpm::PcrValues tpm10 = PcrRead(kBanks, {10});
    EXPECT_EQ(EsysPcrs(kBanks, {10}), tpm10);
    for (TPM2_ALG_ID bank : kBanks) {
      std::vector<candor::v1::Failure> findings;
      EXPECT_EQ(Replay(bank, &findings), tpm10.at(bank).at(10))
          << tpm::BankName(bank);
      for (const auto& f : findings) {
        EXPECT_EQ(f.id(), "ima.violation") << f.DebugString();
      }
      std::vector<std::string> lines = Lines();
      std::vector<absl::string_view> views(lines.begin(), lines.end());
      auto state = ima::ReplayState::AtBoot(bank, ima::ExtendMode::kUnknown);
      ima::ReplayOptions o;
      o.quoted_pcr10 = tpm10.at(bank).at(10);
      findings.clear();
      auto r = ima::Replay(
          *state, views, o,
          [](const ima::Entry&, uint64_t, absl::string_view) {}, &findings);
      ASSERT_TRUE(r.ok());
      EXPECT_TRUE(r->pcr_matched);
      EXPECT_EQ(r->consumed, lines.size());
      EXPECT_EQ(r->state.mode, ima::ExtendMode::kPerBank);
    }
  }

  std::string log_;
};

ima::Keyring KeyringFor(const std::string& private_pem) {
  auto key = crypto::PrivateKeyFromPem(*ReadFile(private_pem));
  EXPECT_TRUE(key.ok());
  auto parsed = ima::ParseKeyDer(*crypto::PublicKeyToDer(key->get()));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  ima::Keyring ring;
  ring.Add(*parsed);
  return ring;
}

TEST_F(ImaEmulatorTest, ImaNgLogReplaysToPcr10AndBootAggregateIsPcr0To9) {
  Ima({"init"});
  const tpm::PcrValues boot =
      PcrRead({TPM2_ALG_SHA256}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  std::string concat;
  for (uint32_t i = 0; i <= 9; ++i) concat += boot.at(TPM2_ALG_SHA256).at(i);
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(" ima-ng sha256:" +
                                  ima::HexEncode(crypto::Sha256(concat)) +
                                  " boot_aggregate"));
  ima::Entry e;
  ASSERT_TRUE(ima::ParseLine(lines[0], 1, &e).ok());
  std::vector<candor::v1::Failure> findings;
  EXPECT_TRUE(ima::CheckBootAggregate(e, 0, boot, &findings));
  EXPECT_TRUE(findings.empty());

  auto start = std::chrono::steady_clock::now();
  Ima({"add", "--count", "10000"});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::cout << "10000 entries (2 banks) written and extended in " << seconds
            << " s\n";
  ASSERT_TRUE(WriteFileAtomically(Path("evil"), "#!/bin/sh\nrm -rf /\n").ok());
  Ima({"add", "--path", "/tmp/evil", "--file", Path("evil")});
  Ima({"add", "--path", "/usr/bin/x", "--digest",
       "sha256:" + std::string(64, 'a')});
  Ima({"add", "--path", "/var/log/app.log", "--violation"});
  EXPECT_EQ(Lines().size(), 10004u);
  EXPECT_THAT(
      Lines()[10001],
      HasSubstr(
          "sha256:" + ima::HexEncode(crypto::Sha256("#!/bin/sh\nrm -rf /\n")) +
          " /tmp/evil"));
  ExpectReplayMatchesTpm();
}

TEST_F(ImaEmulatorTest, ImaSigLogWithRsaAndEcSignaturesAndAViolation) {
  Ima({"init", "--template", "ima-sig"});
  Ima({"add", "--count", "20"});
  Ima({"add", "--count", "5", "--sign", std::string(kKeys) + "rsa2048.pem"});
  Ima({"add", "--count", "5", "--sign", std::string(kKeys) + "secp256k1.pem"});
  Ima({"add", "--path", "/usr/lib/x.so", "--violation"});
  Ima({"add", "--path", "/usr/bin/unknown-key", "--digest",
       "sha256:" + std::string(64, 'b'), "--sign",
       std::string(kKeys) + "rsa2048.pem", "--keyid", "deadbeef"});
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 33u);
  EXPECT_THAT(lines[0], ::testing::EndsWith(" boot_aggregate "));
  ExpectReplayMatchesTpm();

  const ima::Keyring rsa = KeyringFor(std::string(kKeys) + "rsa2048.pem");
  const ima::Keyring ec = KeyringFor(std::string(kKeys) + "secp256k1.pem");
  const ima::Keyring* rings[] = {&rsa, &ec};
  int verified = 0, unsigned_entries = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    ima::Entry e;
    ASSERT_TRUE(ima::ParseLine(lines[i], i + 1, &e).ok()) << lines[i];
    if (e.violation) continue;
    if (e.sig_hex.empty()) {
      ++unsigned_entries;
      continue;
    }
    std::string sig = absl::HexStringToBytes(std::string(e.sig_hex));
    absl::Status s = ima::VerifyFileSignature(sig, e.digest, rings);
    if (e.path == "/usr/bin/unknown-key") {
      EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
    } else {
      EXPECT_TRUE(s.ok()) << lines[i] << ": " << s;
      ++verified;
    }
  }
  EXPECT_EQ(verified, 10);
  EXPECT_EQ(unsigned_entries, 20);
}

TEST_F(ImaEmulatorTest, UsageErrorsAndRefusals) {
  auto no_init = RunTool(
      "ima_emulator", {"--tcti", tcti(), "--log", log_, "add", "--count", "1"});
  EXPECT_EQ(no_init->exit_code, 1);
  EXPECT_THAT(no_init->output, HasSubstr("init"));
  Ima({"init"});
  auto sig_on_ng = RunTool(
      "ima_emulator", {"--tcti", tcti(), "--log", log_, "add", "--count", "1",
                       "--sign", std::string(kKeys) + "rsa2048.pem"});
  EXPECT_EQ(sig_on_ng->exit_code, 1);
  EXPECT_THAT(sig_on_ng->output, HasSubstr("ima-sig"));
  auto both = RunTool("ima_emulator", {"--tcti", tcti(), "--log", log_, "add",
                                       "--count", "1", "--path", "/x"});
  EXPECT_EQ(both->exit_code, 2);
  auto twice =
      RunTool("ima_emulator", {"--tcti", tcti(), "--log", log_, "init"});
  EXPECT_EQ(twice->exit_code, 1);
  EXPECT_THAT(twice->output, HasSubstr("reboot"));
  EXPECT_EQ(Lines().size(), 1u);
  ExpectReplayMatchesTpm();
}

}  // namespace
}  // namespace candor::tools::testing
