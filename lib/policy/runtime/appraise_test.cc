// Replay + policy evaluation: Keylime's fixture logs against policies made
// from them and against the merge bases, ima-sig signatures, keys learned
// from ima-buf entries, violations, boot_aggregate and incremental cycles.
#include "lib/policy/runtime/appraise.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/testing/test_certs.h"
#include "lib/crypto/x509.h"
#include "lib/ima/hex.h"
#include "lib/ima/testing/log_builder.h"
#include "lib/policy/runtime/policy_builder.h"

namespace candor::policy {
namespace {

using candor::v1::Failure;
using ima::HashAlgo;
using ima::testing::HashOf;
using ima::testing::LogBuilder;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kData[] = "tests/testdata/keylime/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Result {
  Appraisal a;
  std::vector<std::string> ids;       // all findings
  std::vector<std::string> failures;  // "id line path" of non-warnings
};

Result Check(const RuntimePolicy& policy, absl::string_view log,
             EvalState* state = nullptr, const tpm::PcrValues* pcrs = nullptr) {
  EvalState local;
  AppraiseOptions o;
  o.policy = &policy;
  o.boot_pcrs = pcrs;
  std::vector<absl::string_view> lines = SplitLogLines(log);
  absl::StatusOr<Appraisal> a =
      AppraiseImaLog(*ima::ReplayState::AtBoot(TPM2_ALG_SHA256), lines, o,
                     state != nullptr ? state : &local);
  EXPECT_TRUE(a.ok()) << a.status();
  Result r;
  r.a = *std::move(a);
  for (const Failure& f : r.a.findings) {
    r.ids.push_back(f.id());
    if (f.id() == "ima.violation") continue;
    auto ctx = f.context();
    r.failures.push_back(
        absl::StrCat(f.id(), " ", ctx["line"], " ", ctx["path"]));
  }
  return r;
}

RuntimePolicy Load(absl::string_view json) {
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(json);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

std::string PolicyFromLog(absl::string_view log) {
  PolicyBuilder b;
  CreateStats stats;
  EXPECT_TRUE(AddImaLog(log, ExcludeList(), &b, &stats).ok());
  return b.ToJson(absl::Now());
}

TEST(AppraiseTest, FixtureLogsPassTheirOwnPolicyAndFailTheMergeBases) {
  for (const char* alg : {"sha1", "sha256", "sha384", "sha512"}) {
    SCOPED_TRACE(alg);
    std::string log =
        ReadFile(absl::StrCat(kData, "create-runtime-policy/ima-log-", alg));
    RuntimePolicy own = Load(PolicyFromLog(log));
    Result r = Check(own, log);
    EXPECT_THAT(r.failures, IsEmpty());
    EXPECT_EQ(r.a.entries_evaluated, 2u);

    RuntimePolicy base = Load(
        ReadFile(absl::StrCat(kData, "create-runtime-policy/policy-", alg)));
    r = Check(base, log);
    EXPECT_THAT(r.failures, ElementsAre("ima.not_in_policy 1 boot_aggregate",
                                        "ima.not_in_policy 2 /data"));
    for (const Failure& f : r.a.findings) {
      if (f.id() != "ima.not_in_policy") continue;
      EXPECT_THAT(f.context().at("digest"), ::testing::StartsWith(alg));
    }
  }
}

TEST(AppraiseTest, UnknownAlgorithmLogIsRefusedWhenCreating) {
  PolicyBuilder b;
  CreateStats stats;
  absl::Status s = AddImaLog(
      ReadFile(absl::StrCat(kData, "create-runtime-policy/ima-log-unknown")),
      ExcludeList(), &b, &stats);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("line 1"));
}

TEST(AppraiseTest, EveryFailingEntryIsReported) {
  LogBuilder b;
  b.ImaNgOf("/bin/ok", "ok");
  b.ImaNgOf("/bin/changed", "changed");
  b.ImaNgOf("/bin/unknown", "unknown");
  b.ImaNg("/bin/ok", HashAlgo::kSha1, HashOf(HashAlgo::kSha1, "ok"));
  b.ImaNgOf("/tmp/excluded", "x");
  b.ImaNgOf("/bin/changed", "changed again");
  RuntimePolicy p = Load(absl::StrCat(
      R"({"meta": {"version": 1}, "excludes": ["/tmp/"], "digests": {)",
      R"("/bin/ok": [")", ima::HexEncode(HashOf(HashAlgo::kSha256, "ok")),
      R"("], "/bin/changed": [")",
      ima::HexEncode(HashOf(HashAlgo::kSha256, "original")), R"("]}})"));
  Result r = Check(p, b.Text());
  EXPECT_THAT(r.failures, ElementsAre("ima.digest_mismatch 2 /bin/changed",
                                      "ima.not_in_policy 3 /bin/unknown",
                                      "ima.digest_mismatch 4 /bin/ok",
                                      "ima.digest_mismatch 6 /bin/changed"));
}

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = ima::testing::ReadPrivateKey(
        absl::StrCat(kData, "ima_keys/rsa2048.pem"));
  }
  std::string PolicyWithKey(absl::string_view digests_json) {
    std::string pem = ReadFile(absl::StrCat(kData, "ima_keys/rsa2048pub.pem"));
    std::string escaped = absl::StrReplaceAll(pem, {{"\n", "\\n"}});
    return absl::StrCat(R"({"meta": {"version": 1}, "digests": {)",
                        digests_json, R"(}, "verification-keys": ")", escaped,
                        R"("})");
  }
  crypto::OsslPtr<EVP_PKEY> key_;
};

TEST_F(SignatureTest, SignedEntriesPassAndFlippedOnesFail) {
  const std::string d = HashOf(HashAlgo::kSha256, "signed binary");
  const std::string listed = HashOf(HashAlgo::kSha256, "listed binary");
  std::string sig =
      ima::testing::SignFileDigest(key_.get(), HashAlgo::kSha256, d);
  std::string flipped = sig;
  flipped[20] ^= 0x10;
  std::string sig_listed =
      ima::testing::SignFileDigest(key_.get(), HashAlgo::kSha256, listed,
                                   0x0BADC0DE);  // unknown key
  LogBuilder b;
  b.ImaSig("/usr/bin/signed", HashAlgo::kSha256, d, sig);              // 1 pass
  b.ImaSig("/usr/bin/flipped", HashAlgo::kSha256, d, flipped);         // 2 fail
  b.ImaSig("/usr/bin/listed", HashAlgo::kSha256, listed, sig_listed);  // 3
  b.ImaSig("/usr/bin/unsigned", HashAlgo::kSha256, d, "");             // 4 fail
  b.ImaModsig("/lib/m.ko", HashAlgo::kSha256, d, sig, "", "");         // 5 pass
  RuntimePolicy p = Load(PolicyWithKey(absl::StrCat(
      R"("/usr/bin/listed": [")", ima::HexEncode(listed), R"("])")));
  Result r = Check(p, b.Text());
  EXPECT_THAT(r.failures, ElementsAre("ima.bad_signature 2 /usr/bin/flipped",
                                      "ima.not_in_policy 4 /usr/bin/unsigned"));
  EXPECT_EQ(r.a.findings[0].context().at("fallback"), "ima.not_in_policy");
  EXPECT_THAT(r.a.findings[0].context().at("reason"),
              ::testing::HasSubstr("does not verify"));
}

TEST_F(SignatureTest, KeysLearnedFromImaBufOnlyWhenAllowed) {
  crypto::OsslPtr<EVP_PKEY> k =
      *crypto::test_certs::MakeKey(crypto::test_certs::KeyType::kEcP256);
  crypto::test_certs::CertOptions co;
  co.common_name = "ima key";
  crypto::OsslPtr<X509> cert =
      *crypto::test_certs::MakeCertificate(co, k.get(), nullptr, k.get());
  const std::string der = *crypto::CertificateToDer(cert.get());
  const std::string cert_digest =
      ima::HexEncode(HashOf(HashAlgo::kSha256, der));
  const std::string d = HashOf(HashAlgo::kSha256, "payload");
  const std::string sig =
      ima::testing::SignFileDigest(k.get(), HashAlgo::kSha256, d);

  LogBuilder b;
  b.ImaBuf(".ima", der);
  b.ImaSig("/usr/bin/app", HashAlgo::kSha256, d, sig);
  const std::string log = b.Text();

  // Allowed: learned, the signature verifies.
  RuntimePolicy allowed =
      Load(absl::StrCat(R"({"meta": {"version": 1}, "keyrings": {".ima": [")",
                        cert_digest, R"("]}})"));
  EvalState state;
  Result r = Check(allowed, log, &state);
  EXPECT_THAT(r.failures, IsEmpty());
  ASSERT_EQ(state.learned_keys.size(), 1u);
  EXPECT_EQ(state.learned_keys.keys()[0].source, ".ima");

  // Keyring not listed: refused, not learned, the signature then fails.
  RuntimePolicy none = Load(R"({"meta": {"version": 1}})");
  r = Check(none, log);
  EXPECT_THAT(r.failures, ElementsAre("ima.keyring_not_allowed 1 .ima",
                                      "ima.bad_signature 2 /usr/bin/app"));
  // Another digest listed for the keyring.
  RuntimePolicy other =
      Load(absl::StrCat(R"({"meta": {"version": 1}, "keyrings": {".ima": [")",
                        std::string(64, 'a'), R"("]}})"));
  r = Check(other, log);
  EXPECT_THAT(r.ids,
              ElementsAre("ima.keyring_not_allowed", "ima.bad_signature"));
  // Ignored or excluded keyrings pass without the key being learned.
  for (const char* extra :
       {R"("ima": {"ignored_keyrings": [".ima"]})",
        R"("ima": {"ignored_keyrings": ["*"]})", R"("excludes": ["\\.ima"])"}) {
    RuntimePolicy p = Load(absl::StrCat(R"({"meta": {"version": 1}, )", extra,
                                        R"(, "keyrings": {".ima": [")",
                                        cert_digest, R"("]}})"));
    EvalState s;
    r = Check(p, log, &s);
    EXPECT_THAT(r.failures, ElementsAre("ima.bad_signature 2 /usr/bin/app"))
        << extra;
    EXPECT_TRUE(s.learned_keys.empty());
  }
}

TEST(AppraiseTest, GenericImaBuf) {
  LogBuilder b;
  b.ImaBuf("kexec-cmdline", "root=/dev/sda1 ro");
  b.ImaBuf("selinux-state", "enforcing=1");
  // A buffer whose digest is not its hash (and a wrong template hash).
  b.Raw(absl::StrCat("10 ", std::string(40, '0').replace(0, 1, "1"),
                     " ima-buf sha256:", std::string(64, 'a'), " fake 00"));
  RuntimePolicy p = Load(absl::StrCat(
      R"({"meta": {"version": 1}, "ima-buf": {"kexec-cmdline": [")",
      ima::HexEncode(HashOf(HashAlgo::kSha256, "root=/dev/sda1 ro")),
      R"("]}})"));
  Result r = Check(p, b.Text());
  EXPECT_THAT(r.failures, ElementsAre("ima.not_in_policy 2 selinux-state",
                                      "ima.template_hash_mismatch 3 fake",
                                      "ima.digest_mismatch 3 fake"));
}

TEST(AppraiseTest, ViolationsAreWarningsButPathsMustBeKnown) {
  LogBuilder b;
  b.Violation("/etc/ld.so.cache");
  b.Violation("/var/log/wtmp");
  b.Violation("/root/unknown");
  RuntimePolicy p = Load(absl::StrCat(
      R"({"meta": {"version": 1}, "excludes": ["/var/log/"], "digests": )",
      R"({"/etc/ld.so.cache": [")", std::string(64, 'b'), R"("]}})"));
  Result r = Check(p, b.Text());
  EXPECT_THAT(r.ids, ElementsAre("ima.violation", "ima.violation",
                                 "ima.violation", "ima.not_in_policy"));
  EXPECT_THAT(r.failures, ElementsAre("ima.not_in_policy 3 /root/unknown"));
}

TEST(AppraiseTest, AllFfTemplateHashIsReportedAndStillEvaluated) {
  LogBuilder b;
  std::string line = b.ImaNgOf("/bin/evil", "evil");
  std::string ff = absl::StrCat("10 ", std::string(40, 'f'), line.substr(43));
  RuntimePolicy p = Load(R"({"meta": {"version": 1}})");
  Result r = Check(p, ff);
  EXPECT_THAT(r.failures, ElementsAre("ima.template_hash_mismatch 1 /bin/evil",
                                      "ima.not_in_policy 1 /bin/evil"));
}

TEST(AppraiseTest, BootAggregateAgainstQuotedPcrs) {
  tpm::PcrValues pcrs;
  std::string concat;
  for (uint32_t i = 0; i < 10; ++i) {
    pcrs[TPM2_ALG_SHA256][i] = std::string(32, static_cast<char>(i));
    concat += pcrs[TPM2_ALG_SHA256][i];
  }
  LogBuilder good;
  good.ImaNg("boot_aggregate", HashAlgo::kSha256,
             HashOf(HashAlgo::kSha256, concat));
  good.ImaNgOf("/bin/a", "a");
  RuntimePolicy p = Load(
      absl::StrCat(R"({"meta": {"version": 1}, "digests": {"/bin/a": [")",
                   ima::HexEncode(HashOf(HashAlgo::kSha256, "a")), R"("]}})"));
  // Checked against the PCRs, not looked up in the policy.
  EXPECT_THAT(Check(p, good.Text(), nullptr, &pcrs).failures, IsEmpty());
  EXPECT_THAT(Check(p, good.Text()).failures,
              ElementsAre("ima.not_in_policy 1 boot_aggregate"));
  LogBuilder bad;
  bad.ImaNg("boot_aggregate", HashAlgo::kSha256, std::string(32, '\x01'));
  EXPECT_THAT(Check(p, bad.Text(), nullptr, &pcrs).failures,
              ElementsAre("ima.boot_aggregate_mismatch 1 boot_aggregate"));
}

TEST(AppraiseTest, IncrementalCyclesEvaluateOnlyNewEntries) {
  LogBuilder b;
  for (int i = 0; i < 6; ++i) b.ImaNgOf(absl::StrCat("/bin/t", i), "x");
  RuntimePolicy p =
      Load(R"({"meta": {"version": 1}, "excludes": ["/bin/t[0-2]$"]})");
  std::vector<absl::string_view> lines = b.views();
  EvalState state;
  AppraiseOptions o;
  o.policy = &p;
  o.replay.quoted_pcr10 =
      b.Pcr10(TPM2_ALG_SHA256, ima::ExtendMode::kPerBank, 3);
  absl::StatusOr<Appraisal> first = AppraiseImaLog(
      *ima::ReplayState::AtBoot(TPM2_ALG_SHA256), lines, o, &state);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->replay.pcr_matched);
  EXPECT_EQ(first->entries_evaluated, 3u);
  EXPECT_THAT(first->findings, IsEmpty());
  o.replay.quoted_pcr10 = b.Pcr10(TPM2_ALG_SHA256, ima::ExtendMode::kPerBank);
  absl::StatusOr<Appraisal> second = AppraiseImaLog(
      first->replay.state, absl::MakeSpan(lines).subspan(3), o, &state);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->entries_evaluated, 3u);
  std::vector<std::string> lines_reported;
  for (const Failure& f : second->findings) {
    lines_reported.push_back(f.context().at("line"));
  }
  EXPECT_THAT(lines_reported, UnorderedElementsAre("4", "5", "6"));
}

}  // namespace
}  // namespace candor::policy
