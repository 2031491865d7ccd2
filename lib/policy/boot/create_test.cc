#include "lib/policy/boot/create.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/testing/log_builder.h"
#include "lib/policy/boot/boot_policy.h"
#include "lib/policy/boot/evaluate.h"
#include "lib/policy/boot/testing/fixtures.h"
#include "nlohmann/json.hpp"

namespace candor::policy {
namespace {

using ::testing::HasSubstr;
using testing::LoadLog;

void ExpectPasses(const ReferenceState& state, const eventlog::EventLog& log) {
  for (const auto& f : EvaluateReferenceState(state, log)) {
    ADD_FAILURE() << f.id() << ": " << f.message();
  }
}

TEST(CreateTest, SecureBootLogPassesItsOwnState) {
  eventlog::EventLog log = LoadLog(testing::kSecureBootLog);
  auto state = CreateReferenceState(log);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(state->has_secureboot);
  ASSERT_EQ(state->kernels.size(), 1u);
  const KernelSpec& k = state->kernels[0];
  EXPECT_EQ(absl::BytesToHexString(k.shim_authcode_sha256),
            "27b12463e599b3147635f272e3722960e443def60fef088eba600697017529f2");
  EXPECT_EQ(absl::BytesToHexString(k.grub_authcode_sha256),
            "0abc88ee4d2915c3c5c010a331be980766d6445419c22fe236867b92d254f01f");
  EXPECT_EQ(absl::BytesToHexString(k.kernel_authcode_sha256),
            "219b8b53c54951cd07a580622e384391bbd9e113448a12ad319903fcafb81e79");
  EXPECT_TRUE(k.vmlinuz_plain_sha256.empty());
  EXPECT_THAT(k.kernel_cmdline, HasSubstr("crashkernel"));
  EXPECT_EQ(state->pk.size(), 1u);
  EXPECT_EQ(state->pk[0].owner.ToString(),
            "a0baa8a3-041d-48a8-bc87-c36d121b5e3d");
  EXPECT_GT(state->dbx.size(), 300u);
  ASSERT_EQ(state->mokxdig.size(), 1u);
  EXPECT_EQ(absl::BytesToHexString(state->mokxdig[0].at(TPM2_ALG_SHA256)),
            "8d8a3aae50d5d25838c95c034aadce7b548c9a952eb7925e366eda537c59c3b0");
  ASSERT_TRUE(state->scrtm_and_bios[0].scrtm.has_value());
  EXPECT_EQ(state->scrtm_and_bios[0].platform_firmware.size(), 2u);
  ExpectPasses(*state, log);
}

TEST(CreateTest, PlainLogNeedsWithoutSecureBoot) {
  eventlog::EventLog log = LoadLog(testing::kPlainLog);
  auto refused = CreateReferenceState(log);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("Secure Boot is off"));

  ReferenceStateOptions opts;
  opts.allow_without_secureboot = true;
  auto state = CreateReferenceState(log, opts);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_FALSE(state->has_secureboot);
  const KernelSpec& k = state->kernels[0];
  EXPECT_TRUE(k.kernel_authcode_sha256.empty());
  EXPECT_EQ(k.vmlinuz_plain_sha256.size(), 32u);
  EXPECT_EQ(state->scrtm_and_bios[0].platform_firmware.size(), 6u);
  ExpectPasses(*state, log);
}

TEST(CreateTest, JsonRoundTripStillPasses) {
  for (const char* path : {testing::kPlainLog, testing::kSecureBootLog}) {
    SCOPED_TRACE(path);
    eventlog::EventLog log = LoadLog(path);
    ReferenceState state = testing::StateFor(log);
    std::string json = ReferenceStateToJson(state);
    nlohmann::json j = nlohmann::json::parse(json);
    EXPECT_TRUE(
        j["kernels"][0]["shim_authcode_sha256"].get<std::string>().rfind(
            "0x", 0) == 0);
    auto policy = BootPolicy::Parse(json);
    ASSERT_TRUE(policy.ok()) << policy.status();
    EXPECT_EQ(policy->kind(), BootPolicy::Kind::kReferenceState);
    EXPECT_TRUE(policy->Evaluate(log).empty());
    EXPECT_EQ(ReferenceStateToJson(*policy->reference_state()), json);
  }
}

TEST(CreateTest, StateOfOneLogRejectsTheOther) {
  eventlog::EventLog plain = LoadLog(testing::kPlainLog);
  eventlog::EventLog sb = LoadLog(testing::kSecureBootLog);
  EXPECT_FALSE(EvaluateReferenceState(testing::StateFor(sb), plain).empty());
  EXPECT_FALSE(EvaluateReferenceState(testing::StateFor(plain), sb).empty());
}

namespace el = ::candor::eventlog;
using el::testing::LogBuilder;

// A small Secure Boot log: SecureBoot=1, empty key databases, shim, GRUB and
// kernel after the PCR 4 separator, one initrd and one command line.
LogBuilder SecureBootBoot(int apps, absl::string_view cmdline) {
  LogBuilder b({TPM2_ALG_SHA256});
  b.Add(7, el::kEvEfiVariableDriverConfig,
        el::testing::VariableData(el::EfiGlobalVariableGuid(), "SecureBoot",
                                  "\x01"))
      .Add(4, el::kEvEfiAction, "Calling EFI Application from Boot Option")
      .Add(4, el::kEvSeparator, std::string(4, '\0'));
  for (int i = 0; i < apps; ++i) {
    b.AddHashed(4, el::kEvEfiBootServicesApplication,
                el::testing::ImageLoadData(""), absl::StrCat("app", i));
  }
  b.Add(9, el::kEvIpl, std::string("(hd0,gpt2)/initramfs.img\0", 25))
      .AddHashed(
          8, el::kEvIpl,
          absl::StrCat("kernel_cmdline: ", cmdline, std::string(1, '\0')),
          cmdline);
  return b;
}

TEST(CreateTest, CommandLineWithRegexMetacharacters) {
  std::string cmdline = "a.b*c+d?e(f)g[h]i{j}k^l$m|n\\o\tp \xc3\xa9";
  auto log = el::EventLog::Parse(SecureBootBoot(3, cmdline).Build());
  ASSERT_TRUE(log.ok()) << log.status();
  auto state = CreateReferenceState(*log);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->kernels[0].kernel_cmdline,
            "a\\.b\\*c\\+d\\?e\\(f\\)g\\[h\\]i\\{j\\}k\\^l\\$m\\|n\\\\o"
            "\\x09p \xc3\xa9");
  ExpectPasses(*state, *log);
  EXPECT_FALSE(RE2::FullMatch("aXb*c+d?e(f)g[h]i{j}k^l$m|n\\o\tp \xc3\xa9",
                              *state->kernels[0].kernel_cmdline_re));
}

TEST(CreateTest, RefusesLogsItCannotExpress) {
  struct Case {
    std::string log;
    std::string why;
  } cases[] = {
      {SecureBootBoot(2, "ro").Build(), "found 2 boot applications"},
      {SecureBootBoot(5, "ro").Build(), "found 5 boot applications"},
      {SecureBootBoot(3, "ro")
           .AddHashed(8, el::kEvIpl, std::string("kernel_cmdline: x\0", 18),
                      "x")
           .Build(),
       "found 2 kernel_cmdline events"},
      {SecureBootBoot(3, "ro")
           .Add(9, el::kEvIpl, std::string("(hd0,gpt2)/initrd-2\0", 20))
           .Build(),
       "found 2 initrd measurements"},
      {SecureBootBoot(3, "ro")
           .Add(8, el::kEvIpl, std::string("kernel_cmdline: y\0", 18))
           .Build(),
       "found 2 kernel_cmdline events"},
      {LogBuilder({TPM2_ALG_SHA256}).Build(), "no SecureBoot variable"},
  };
  for (const Case& c : cases) {
    auto log = el::EventLog::Parse(c.log);
    ASSERT_TRUE(log.ok()) << log.status();
    auto state = CreateReferenceState(*log);
    ASSERT_FALSE(state.ok()) << c.why;
    EXPECT_EQ(state.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(state.status().message(), HasSubstr(c.why));
  }
}

TEST(CreateTest, RefusesACommandLineItsDigestDoesNotCover) {
  // Boot "applications" as EV_IPL on PCR 4: the policy counts every PCR 4
  // event after the separator, whatever its type.
  std::string log =
      LogBuilder({TPM2_ALG_SHA256})
          .Add(7, el::kEvEfiVariableDriverConfig,
               el::testing::VariableData(el::EfiGlobalVariableGuid(),
                                         "SecureBoot", "\x01"))
          .Add(4, el::kEvSeparator, std::string(4, '\0'))
          .AddHashed(4, el::kEvIpl, "shim", "a")
          .AddHashed(4, el::kEvIpl, "grub", "b")
          .AddHashed(4, el::kEvIpl, "kernel", "c")
          .Add(9, el::kEvIpl, std::string("(hd0,gpt2)/initrd\0", 18))
          .AddHashed(8, el::kEvIpl, std::string("kernel_cmdline: ro\0", 19),
                     "rw")
          .Build();
  auto parsed = el::EventLog::Parse(log);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto state = CreateReferenceState(*parsed);
  ASSERT_FALSE(state.ok());
  EXPECT_THAT(state.status().message(),
              HasSubstr("its digest does not cover its text"));
}

}  // namespace
}  // namespace candor::policy
