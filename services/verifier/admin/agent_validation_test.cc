// Every AddAgent/UpdateAgent field check: accepted values, and refusals
// that name the field.
#include "services/verifier/admin/agent_validation.h"

#include <string>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/verifier/store/in_memory_policy_store.h"

namespace candor::verifier {
namespace {

using ::testing::HasSubstr;

MATCHER_P(InvalidNaming, text, "") {
  return arg.code() == absl::StatusCode::kInvalidArgument &&
         absl::StrContains(arg.message(), text);
}

TEST(AgentValidationTest, AgentId) {
  EXPECT_TRUE(CheckAgentId("agent.agent_id", "node-1.example").ok());
  EXPECT_THAT(CheckAgentId("agent.agent_id", ""),
              InvalidNaming("agent.agent_id: "));
  EXPECT_THAT(CheckAgentId("agent.agent_id", "Upper"),
              InvalidNaming("agent.agent_id: "));
  EXPECT_THAT(CheckAgentId("agent.agent_id", "-x"),
              InvalidNaming("agent.agent_id: "));
  EXPECT_THAT(CheckAgentId("agent.agent_id", std::string(65, 'a')),
              InvalidNaming("agent.agent_id: "));
}

TEST(AgentValidationTest, Address) {
  for (const char* ok :
       {"node1:9000", "10.0.0.5:1", "[::1]:65535", "a.b-c.example:443"}) {
    EXPECT_TRUE(CheckAddress("agent.address", ok).ok()) << ok;
  }
  for (const char* bad :
       {"node1", "node1:0", "node1:65536", ":80", "::1:80", "[::1:80",
        "300.1.1.1:80", "bad_host:80", "[zz]:80", "node1:8x"}) {
    EXPECT_THAT(CheckAddress("agent.address", bad),
                InvalidNaming("agent.address: "))
        << bad;
  }
}

TEST(AgentValidationTest, VShareSizeWithoutEchoingIt) {
  EXPECT_TRUE(CheckVShare("v_share", "").ok());
  EXPECT_TRUE(CheckVShare("v_share", std::string(32, 'v')).ok());
  absl::Status s = CheckVShare("v_share", "secretsecret");
  EXPECT_THAT(s, InvalidNaming("v_share: is 12 bytes"));
  EXPECT_THAT(std::string(s.message()), testing::Not(HasSubstr("secret")));
}

TEST(AgentValidationTest, QuoteInterval) {
  google::protobuf::Duration d;
  EXPECT_TRUE(CheckQuoteInterval("q", d, absl::Seconds(5)).ok());  // default
  d.set_seconds(5);
  EXPECT_TRUE(CheckQuoteInterval("q", d, absl::Seconds(5)).ok());
  d.set_seconds(4);
  EXPECT_THAT(CheckQuoteInterval("q", d, absl::Seconds(5)),
              InvalidNaming("q: is 4s, below the verifier's minimum of 5s"));
  d.set_seconds(-1);
  EXPECT_THAT(CheckQuoteInterval("q", d, absl::ZeroDuration()),
              InvalidNaming("q: is negative"));
  d.set_seconds(1);
  d.set_nanos(-5);
  EXPECT_THAT(CheckQuoteInterval("q", d, absl::ZeroDuration()),
              InvalidNaming("not a valid google.protobuf.Duration"));
}

v1::PcrSelection Sel(v1::HashAlgorithm bank, std::vector<uint32_t> pcrs) {
  v1::PcrSelection s;
  s.set_bank(bank);
  for (uint32_t p : pcrs) s.add_pcrs(p);
  return s;
}

TEST(AgentValidationTest, PcrSelections) {
  v1::Agent a;
  *a.add_pcr_selections() = Sel(v1::HASH_ALGORITHM_SHA256, {0, 7, 10, 23});
  *a.add_pcr_selections() = Sel(v1::HASH_ALGORITHM_SHA1, {});
  EXPECT_TRUE(
      CheckPcrSelections("agent.pcr_selections", a.pcr_selections()).ok());
  EXPECT_EQ(ImaBank(a.pcr_selections()), v1::HASH_ALGORITHM_SHA256);

  auto check = [](std::vector<v1::PcrSelection> sels) {
    v1::Agent x;
    for (auto& s : sels) *x.add_pcr_selections() = s;
    return CheckPcrSelections("agent.pcr_selections", x.pcr_selections());
  };
  EXPECT_THAT(check({Sel(v1::HASH_ALGORITHM_UNSPECIFIED, {1})}),
              InvalidNaming("agent.pcr_selections[0].bank: "));
  EXPECT_THAT(check({Sel(static_cast<v1::HashAlgorithm>(99), {1})}),
              InvalidNaming("agent.pcr_selections[0].bank: "));
  EXPECT_THAT(check({Sel(v1::HASH_ALGORITHM_SHA1, {1}),
                     Sel(v1::HASH_ALGORITHM_SHA1, {2})}),
              InvalidNaming("agent.pcr_selections[1].bank: bank sha1 is listed "
                            "twice"));
  EXPECT_THAT(check({Sel(v1::HASH_ALGORITHM_SHA256, {1, 24})}),
              InvalidNaming("agent.pcr_selections[0].pcrs[1]: PCR 24"));
  EXPECT_THAT(
      check({Sel(v1::HASH_ALGORITHM_SHA256, {3, 2})}),
      InvalidNaming("agent.pcr_selections[0].pcrs[1]: PCR 2 follows 3"));
  EXPECT_THAT(check({Sel(v1::HASH_ALGORITHM_SHA256, {3, 3})}),
              InvalidNaming("strictly ascending"));
}

TEST(AgentValidationTest, ImaBankDefaultsToSha256) {
  v1::Agent a;
  EXPECT_EQ(ImaBank(a.pcr_selections()), v1::HASH_ALGORITHM_SHA256);
  *a.add_pcr_selections() = Sel(v1::HASH_ALGORITHM_SHA384, {10});
  EXPECT_EQ(ImaBank(a.pcr_selections()), v1::HASH_ALGORITHM_SHA384);
}

TEST(AgentValidationTest, StaticPcrPolicy) {
  v1::StaticPcrPolicy p;
  auto* bank = p.add_banks();
  bank->set_bank(v1::HASH_ALGORITHM_SHA256);
  (*bank->mutable_pcrs())[15].add_digests(std::string(32, '\x01'));
  EXPECT_TRUE(CheckStaticPcrPolicy("agent.static_pcr_policy", p).ok());

  v1::StaticPcrPolicy pcr10 = p;
  (*pcr10.mutable_banks(0)->mutable_pcrs())[10].add_digests(
      std::string(32, '\x01'));
  EXPECT_THAT(
      CheckStaticPcrPolicy("agent.static_pcr_policy", pcr10),
      InvalidNaming("agent.static_pcr_policy.banks[0].pcrs[10]: PCR 10"));
  v1::StaticPcrPolicy pcr16 = p;
  (*pcr16.mutable_banks(0)->mutable_pcrs())[16].add_digests(
      std::string(32, '\x01'));
  EXPECT_THAT(CheckStaticPcrPolicy("agent.static_pcr_policy", pcr16),
              InvalidNaming("pcrs[16]: PCR 16"));
  v1::StaticPcrPolicy size = p;
  (*size.mutable_banks(0)->mutable_pcrs())[15].add_digests(
      std::string(20, '\x01'));
  EXPECT_THAT(CheckStaticPcrPolicy("agent.static_pcr_policy", size),
              InvalidNaming("pcrs[15].digests[1]: is 20 bytes, expected 32"));
  v1::StaticPcrPolicy empty = p;
  (*empty.mutable_banks(0)->mutable_pcrs())[14];
  EXPECT_THAT(CheckStaticPcrPolicy("agent.static_pcr_policy", empty),
              InvalidNaming("pcrs[14]: allows no value"));
  v1::StaticPcrPolicy twice = p;
  *twice.add_banks() = p.banks(0);
  EXPECT_THAT(CheckStaticPcrPolicy("agent.static_pcr_policy", twice),
              InvalidNaming("banks[1]: bank listed twice"));
  v1::StaticPcrPolicy unset;
  unset.add_banks();
  EXPECT_THAT(CheckStaticPcrPolicy("agent.static_pcr_policy", unset),
              InvalidNaming("agent.static_pcr_policy.banks[0]"));
}

TEST(AgentValidationTest, Metadata) {
  v1::Agent a;
  (*a.mutable_metadata())["rack"] = "b12";
  (*a.mutable_metadata())[std::string(63, 'k')] = std::string(1024, 'v');
  // 1024 code points of 2 bytes each: still within the limit.
  std::string accents;
  for (int i = 0; i < 1024; ++i) accents += "\xc3\xa9";
  (*a.mutable_metadata())["accents"] = accents;
  EXPECT_TRUE(CheckMetadata("agent.metadata", a.metadata()).ok());

  v1::Agent key = a;
  (*key.mutable_metadata())[std::string(64, 'k')] = "x";
  EXPECT_THAT(CheckMetadata("agent.metadata", key.metadata()),
              InvalidNaming("key is 64 characters, at most 63"));
  v1::Agent value = a;
  (*value.mutable_metadata())["long"] = std::string(1025, 'v');
  EXPECT_THAT(CheckMetadata("agent.metadata", value.metadata()),
              InvalidNaming("agent.metadata[\"long\"]: value is 1025"));
  v1::Agent empty_key = a;
  (*empty_key.mutable_metadata())[""] = "x";
  EXPECT_THAT(CheckMetadata("agent.metadata", empty_key.metadata()),
              InvalidNaming("a key is empty"));
  v1::Agent many;
  for (int i = 0; i < 65; ++i) (*many.mutable_metadata())[std::to_string(i)];
  EXPECT_THAT(CheckMetadata("agent.metadata", many.metadata()),
              InvalidNaming("has 65 entries, at most 64"));
}

TEST(AgentValidationTest, OutputOnlyFieldsMustBeUnset) {
  v1::Agent a;
  a.set_agent_id("n1");
  a.set_address("n1:9000");
  EXPECT_TRUE(CheckOutputOnlyUnset(a).ok());
  v1::Agent s = a;
  s.set_state(v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_THAT(CheckOutputOnlyUnset(s),
              InvalidNaming("agent.state: output only"));
  v1::Agent f = a;
  f.mutable_last_failure();
  EXPECT_THAT(CheckOutputOnlyUnset(f), InvalidNaming("agent.last_failure"));
  v1::Agent o = a;
  o.set_owner_replica_id("r1");
  EXPECT_THAT(CheckOutputOnlyUnset(o), InvalidNaming("agent.owner_replica_id"));
  v1::Agent d = a;
  d.mutable_v_share_delivered_at()->set_seconds(1);
  EXPECT_THAT(CheckOutputOnlyUnset(d),
              InvalidNaming("agent.v_share_delivered_at"));
}

TEST(AgentValidationTest, ConfigFieldAddressEmptiness) {
  v1::Agent a;
  EXPECT_TRUE(CheckConfigField(a, "address", absl::ZeroDuration(), true).ok());
  EXPECT_THAT(CheckConfigField(a, "address", absl::ZeroDuration(), false),
              InvalidNaming("agent.address: is empty"));
  a.mutable_runtime_policy()->set_version(3);
  EXPECT_THAT(CheckConfigField(a, "runtime_policy", absl::ZeroDuration(), true),
              InvalidNaming("agent.runtime_policy.version: is set but"));
  a.mutable_boot_policy()->set_name("bad name!");
  EXPECT_THAT(CheckConfigField(a, "boot_policy", absl::ZeroDuration(), true),
              InvalidNaming("agent.boot_policy.name: policy name"));
  EXPECT_TRUE(IsUpdatablePath("metadata"));
  EXPECT_FALSE(IsUpdatablePath("state"));
  EXPECT_FALSE(IsUpdatablePath("agent_id"));
}

TEST(AgentValidationTest, PolicyRefExistsWithTheRightKind) {
  InMemoryPolicyStore store;
  ASSERT_TRUE(
      store.Create("rt", v1::POLICY_KIND_RUNTIME, "{\"digests\": {}}", "")
          .ok());
  v1::PolicyRef ref;
  EXPECT_TRUE(CheckPolicyRef(store, "f", ref, v1::POLICY_KIND_RUNTIME).ok());
  ref.set_name("rt");
  EXPECT_TRUE(CheckPolicyRef(store, "f", ref, v1::POLICY_KIND_RUNTIME).ok());
  ref.set_version(1);
  EXPECT_TRUE(CheckPolicyRef(store, "f", ref, v1::POLICY_KIND_RUNTIME).ok());
  EXPECT_THAT(
      CheckPolicyRef(store, "agent.boot_policy", ref, v1::POLICY_KIND_BOOT),
      InvalidNaming("agent.boot_policy: policy \"rt\" is a "
                    "POLICY_KIND_RUNTIME policy, expected "
                    "POLICY_KIND_BOOT"));
  ref.set_version(2);
  absl::Status missing_version = CheckPolicyRef(store, "agent.runtime_policy",
                                                ref, v1::POLICY_KIND_RUNTIME);
  EXPECT_EQ(missing_version.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing_version.message()),
              HasSubstr("agent.runtime_policy: "));
  ref.set_name("absent");
  ref.set_version(0);
  EXPECT_EQ(CheckPolicyRef(store, "f", ref, v1::POLICY_KIND_RUNTIME).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::verifier
