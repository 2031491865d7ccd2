// One failing evaluation per reference-state key: a state made from a log
// passes it; changing one key (or the log) gives exactly that key's failure.
#include "lib/policy/boot/boot_policy.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_types.h"
#include "lib/failure/catalogue.h"
#include "lib/policy/boot/evaluate.h"
#include "lib/policy/boot/testing/fixtures.h"

namespace candor::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LoadLog;
using testing::StateFor;

std::vector<std::string> Ids(const std::vector<candor::v1::Failure>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.id());
  return out;
}

class BootPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sb_log_ = LoadLog(testing::kSecureBootLog);
    plain_log_ = LoadLog(testing::kPlainLog);
    sb_ = StateFor(sb_log_);
    plain_ = StateFor(plain_log_);
  }
  std::vector<std::string> EvalSb() const {
    return Ids(EvaluateReferenceState(sb_, sb_log_));
  }
  std::vector<std::string> EvalPlain() const {
    return Ids(EvaluateReferenceState(plain_, plain_log_));
  }

  eventlog::EventLog sb_log_, plain_log_;
  ReferenceState sb_, plain_;
};

void Flip(std::string* s) { (*s)[0] ^= 1; }

TEST_F(BootPolicyTest, UnchangedStatesPass) {
  EXPECT_TRUE(EvalSb().empty());
  EXPECT_TRUE(EvalPlain().empty());
}

TEST_F(BootPolicyTest, ScrtmVersion) {
  Flip(&sb_.scrtm_and_bios[0].scrtm->at(TPM2_ALG_SHA256));
  auto failures = EvaluateReferenceState(sb_, sb_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootScrtmMismatch));
  EXPECT_THAT(failures[0].message(), HasSubstr("S-CRTM version (event 1)"));
}

TEST_F(BootPolicyTest, PlatformFirmware) {
  plain_.scrtm_and_bios[0].platform_firmware.pop_back();
  EXPECT_THAT(EvalPlain(), ElementsAre(failure::kBootScrtmMismatch));
  // A second entry that matches makes the state pass again (entries are
  // alternatives).
  plain_.scrtm_and_bios.push_back(StateFor(plain_log_).scrtm_and_bios[0]);
  EXPECT_TRUE(EvalPlain().empty());
}

TEST_F(BootPolicyTest, Pk) {
  sb_.pk.clear();
  auto failures = EvaluateReferenceState(sb_, sb_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootPkMismatch));
  EXPECT_EQ(failures[0].context().at("event"), "5");
  EXPECT_EQ(failures[0].context().at("count"), "1");
}

TEST_F(BootPolicyTest, Kek) {
  Flip(&sb_.kek[1].data);
  EXPECT_THAT(EvalSb(), ElementsAre(failure::kBootKekMismatch));
}

TEST_F(BootPolicyTest, Db) {
  sb_.db.erase(sb_.db.begin());
  EXPECT_THAT(EvalSb(), ElementsAre(failure::kBootDbMismatch));
}

TEST_F(BootPolicyTest, Dbx) {
  SignatureSpec extra = sb_.dbx[0];
  Flip(&extra.data);
  sb_.dbx.push_back(extra);
  auto failures = EvaluateReferenceState(sb_, sb_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootDbxMismatch));
  EXPECT_EQ(failures[0].context().at("count"), "1");
}

TEST_F(BootPolicyTest, MokList) {
  Flip(&sb_.mokdig[0].at(TPM2_ALG_SHA256));
  auto failures = EvaluateReferenceState(sb_, sb_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootMokMismatch));
  EXPECT_EQ(failures[0].context().at("variable"), "MokList");
}

TEST_F(BootPolicyTest, MokListX) {
  plain_.mokxdig.clear();
  auto failures = EvaluateReferenceState(plain_, plain_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootMokMismatch));
  EXPECT_EQ(failures[0].context().at("variable"), "MokListX");
}

TEST_F(BootPolicyTest, Shim) {
  Flip(&sb_.kernels[0].shim_authcode_sha256);
  EXPECT_THAT(EvalSb(), ElementsAre(failure::kBootKernelNotAllowed));
}

TEST_F(BootPolicyTest, Grub) {
  Flip(&plain_.kernels[0].grub_authcode_sha256);
  EXPECT_THAT(EvalPlain(), ElementsAre(failure::kBootKernelNotAllowed));
}

TEST_F(BootPolicyTest, KernelAuthcode) {
  Flip(&sb_.kernels[0].kernel_authcode_sha256);
  EXPECT_THAT(EvalSb(), ElementsAre(failure::kBootKernelNotAllowed));
}

TEST_F(BootPolicyTest, VmlinuzWithoutSecureBoot) {
  Flip(&plain_.kernels[0].vmlinuz_plain_sha256);
  auto failures = EvaluateReferenceState(plain_, plain_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootKernelNotAllowed));
  EXPECT_THAT(failures[0].message(), HasSubstr("PCR 9 vmlinuz"));
}

TEST_F(BootPolicyTest, Initrd) {
  Flip(&sb_.kernels[0].initrd_plain_sha256);
  EXPECT_THAT(EvalSb(), ElementsAre(failure::kBootInitrdMismatch));
}

TEST_F(BootPolicyTest, KernelCmdline) {
  KernelSpec& k = plain_.kernels[0];
  k.kernel_cmdline = "\\(hd3,gpt2\\)/vmlinuz-.* ro quiet";
  k.kernel_cmdline_re = *CompileCmdline(k.kernel_cmdline, 0);
  auto failures = EvaluateReferenceState(plain_, plain_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootKernelCmdlineMismatch));
  EXPECT_THAT(failures[0].context().at("got"), HasSubstr("rd.lvm.lv=fedora"));
  // A regex matching the real command line passes.
  k.kernel_cmdline = "\\(hd3,gpt2\\)/vmlinuz-6\\.11\\.5-300\\.fc41\\.x86_64 .*";
  k.kernel_cmdline_re = *CompileCmdline(k.kernel_cmdline, 0);
  EXPECT_TRUE(EvalPlain().empty());
}

TEST_F(BootPolicyTest, SecureBootRequired) {
  // The plain log has Secure Boot off; a state requiring it fails on that
  // (and on the kernel, which the state now expects measured by shim).
  plain_.has_secureboot = true;
  plain_.kernels[0].kernel_authcode_sha256 = std::string(32, 'k');
  auto failures = EvaluateReferenceState(plain_, plain_log_);
  std::set<std::string> ids;
  for (const auto& f : failures) ids.insert(f.id());
  EXPECT_EQ(ids.count(std::string(failure::kBootSecurebootDisabled)), 1u);
  for (const auto& f : failures) {
    if (f.id() == failure::kBootSecurebootDisabled) {
      EXPECT_EQ(f.context().at("got"), "00");
      EXPECT_EQ(f.context().at("event"), "12");
    }
  }
}

TEST_F(BootPolicyTest, EveryFailureIsReported) {
  Flip(&sb_.scrtm_and_bios[0].scrtm->at(TPM2_ALG_SHA256));
  sb_.pk.clear();
  sb_.kek.clear();
  sb_.db.clear();
  sb_.dbx.push_back({eventlog::Guid{}, "x"});
  sb_.mokdig.clear();
  Flip(&sb_.kernels[0].initrd_plain_sha256);
  Flip(&sb_.kernels[0].grub_authcode_sha256);
  sb_.kernels[0].kernel_cmdline_re = *CompileCmdline("nope", 0);
  EXPECT_THAT(
      EvalSb(),
      ElementsAre(failure::kBootScrtmMismatch, failure::kBootPkMismatch,
                  failure::kBootKekMismatch, failure::kBootDbMismatch,
                  failure::kBootDbxMismatch, failure::kBootMokMismatch,
                  failure::kBootKernelNotAllowed, failure::kBootInitrdMismatch,
                  failure::kBootKernelCmdlineMismatch));
}

TEST_F(BootPolicyTest, SingleEntryMustMatchEverything) {
  // Entry 0 has the right boot chain but a wrong initrd; entry 1 the reverse.
  KernelSpec right = sb_.kernels[0];
  sb_.kernels[0].initrd_plain_sha256 = std::string(32, 'i');
  KernelSpec second = right;
  second.shim_authcode_sha256 = std::string(32, 's');
  sb_.kernels.push_back(second);
  auto failures = EvaluateReferenceState(sb_, sb_log_);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootKernelNotAllowed));
  EXPECT_THAT(failures[0].message(), HasSubstr("no single entry"));
  sb_.kernels.push_back(right);
  EXPECT_TRUE(EvalSb().empty());
}

TEST_F(BootPolicyTest, CmdlineShownButNotMeasuredIsRejected) {
  // Rewrite one character of the logged command line (same length): the log
  // still parses and replays, but its text is no longer what was hashed.
  std::string bytes = testing::ReadFile(testing::kPlainLog);
  const eventlog::Event& e = plain_log_.events()[118];
  size_t at = bytes.find("rd.lvm.lv=fedora/root", e.offset);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = 'F';
  auto tampered = eventlog::EventLog::Parse(bytes);
  ASSERT_TRUE(tampered.ok());
  plain_.kernels[0].kernel_cmdline = ".*Fedora.*";
  plain_.kernels[0].kernel_cmdline_re = *CompileCmdline(".*Fedora.*", 0);
  auto failures = EvaluateReferenceState(plain_, *tampered);
  ASSERT_THAT(Ids(failures), ElementsAre(failure::kBootKernelCmdlineMismatch));
  EXPECT_THAT(failures[0].message(), HasSubstr("digest is not the hash"));
}

TEST_F(BootPolicyTest, TamperedSecureBootVariableIsNotTrusted) {
  // Flip SecureBoot to 1 in the log data without fixing the digest.
  std::string bytes = testing::ReadFile(testing::kPlainLog);
  const eventlog::Event& e = plain_log_.events()[12];
  size_t at = e.offset + 4 + 4 + 4 + 2 + 20 + 2 + 32 + 4 + 52;
  ASSERT_EQ(bytes[at], '\0');
  bytes[at] = '\1';
  auto tampered = eventlog::EventLog::Parse(bytes);
  ASSERT_TRUE(tampered.ok()) << tampered.status();
  ASSERT_EQ(tampered->events()[12].variable->data, "\x01");
  ReferenceState s = StateFor(sb_log_);
  auto failures = EvaluateReferenceState(s, *tampered);
  bool seen = false;
  for (const auto& f : failures) {
    if (f.id() == failure::kBootSecurebootDisabled) {
      seen = true;
      EXPECT_THAT(f.message(), HasSubstr("digest does not cover"));
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(BootPolicyTest, OwnersMatchInEitherByteOrder) {
  // keylime#1003: states written with tpm2-tools < 5.2 spell owner GUIDs in
  // storage byte order.
  for (auto* list : {&sb_.pk, &sb_.kek, &sb_.db, &sb_.dbx}) {
    for (SignatureSpec& s : *list) s.owner = s.owner.ByteSwapped();
  }
  EXPECT_TRUE(EvalSb().empty());
  sb_.pk[0].owner.bytes[15] ^= 1;
  EXPECT_THAT(EvalSb(), ElementsAre(failure::kBootPkMismatch));
}

TEST_F(BootPolicyTest, AcceptAllAndRejectAll) {
  auto accept = BootPolicy::Parse(R"({"policy": "accept-all"})");
  ASSERT_TRUE(accept.ok()) << accept.status();
  EXPECT_TRUE(accept->Evaluate(sb_log_).empty());
  EXPECT_TRUE(accept->RelevantPcrs().empty());
  auto reject = BootPolicy::Parse(R"({"policy": "reject-all"})");
  ASSERT_TRUE(reject.ok());
  EXPECT_THAT(Ids(reject->Evaluate(sb_log_)),
              ElementsAre(failure::kBootPolicyRejectAll));
  EXPECT_EQ(reject->ToJson(), "{\"policy\": \"reject-all\"}\n");
  EXPECT_FALSE(BootPolicy::Parse(R"({"policy": "accept-all", "pk": []})").ok());
  EXPECT_FALSE(BootPolicy::Parse(R"({"policy": "maybe"})").ok());
  EXPECT_FALSE(BootPolicy::Parse("[]").ok());
  EXPECT_EQ(BootPolicy::FromReferenceState(sb_).RelevantPcrs().back(), 14u);
}

}  // namespace
}  // namespace candor::policy
