// Loading runtime policies: Keylime's fixtures, the legacy allowlist,
// verification keys, and a precise error for every malformed field.
#include "lib/policy/runtime/runtime_policy.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/ima/hex.h"
#include "lib/ima/keyring.h"

namespace candor::policy {
namespace {

using ::testing::HasSubstr;

constexpr char kData[] = "tests/testdata/keylime/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ima::Digest D(absl::string_view text) {
  ima::Digest d;
  std::string why;
  EXPECT_TRUE(ParsePolicyDigest(text, &d, &why)) << why;
  return d;
}

TEST(RuntimePolicyTest, LoadsKeylimeFixtures) {
  for (const char* alg : {"sha1", "sha256", "sha384", "sha512"}) {
    absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(
        ReadFile(absl::StrCat(kData, "create-runtime-policy/policy-", alg)));
    ASSERT_TRUE(p.ok()) << alg << ": " << p.status();
    EXPECT_EQ(p->digests().names(), 1u);
    EXPECT_TRUE(p->digests().Contains("/base_policy_data"));
    EXPECT_EQ(p->generator(), "3");
    EXPECT_EQ(p->log_hash_alg(), ima::HashAlgo::kSha1);
    std::vector<ima::Digest> ds = p->digests().DigestsOf("/base_policy_data");
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ima::HashAlgoName(ds[0].algo), alg);
  }
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(
      ReadFile(absl::StrCat(kData, "runtime-policy-test.json")));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->digests().names(), 21u);
  EXPECT_EQ(p->keyrings().names(), 1u);
  EXPECT_TRUE(p->keyrings().Contains(".ima"));
  EXPECT_EQ(p->generator(), "2");
  EXPECT_EQ(p->timestamp(), "2022-10-24 21:46:47.978595");
  // "sha256:"-prefixed boot_aggregate and bare SHA-1 file digests.
  EXPECT_EQ(p->digests().Find(
                "boot_aggregate",
                D("sha256:4309217e9709def327c3409407f4d52907aeba46ef1b4f46529f"
                  "d095f2ef9fb2")),
            DigestTable::Lookup::kMatch);
  EXPECT_EQ(p->digests().Find("/boot/grub2/i386-pc/tr.mod",
                              D("e295d64734757d946dbbf294d72edf62a36ab157")),
            DigestTable::Lookup::kMatch);
}

TEST(RuntimePolicyTest, LegacyAllowlist) {
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(
      ReadFile(absl::StrCat(kData, "create-runtime-policy/allowlist-sha256")));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->legacy_allowlist());
  EXPECT_EQ(p->digests().Find("data",
                              D("96d7fae8adb7286a419a88f78c13d35fb782d63df654b7"
                                "db56f154765698b754")),
            DigestTable::Lookup::kMatch);

  p = RuntimePolicy::LoadAllowlist("# comment\n\n" + std::string(40, 'a') +
                                   "  /a b\n" + std::string(64, 'b') +
                                   "\t/a b\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->digests().DigestsOf("/a_b").size(), 2u);

  absl::Status s = RuntimePolicy::LoadAllowlist("\n\nxyz /bin/ls\n").status();
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("allowlist line 3: 'xyz' is not a hex digest"));
  s = RuntimePolicy::LoadAllowlist(std::string(40, 'a')).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("allowlist line 1"));
}

TEST(RuntimePolicyTest, AlgorithmAndLengthMustMatch) {
  const std::string sha256 = std::string(64, 'a');
  absl::StatusOr<RuntimePolicy> p =
      RuntimePolicy::Load(R"({"meta": {"version": 1}, "digests": {"/f": [")" +
                          std::string(40, 'a') + R"("]}})");
  ASSERT_TRUE(p.ok()) << p.status();
  // A SHA-256 digest whose first 20 bytes equal the listed SHA-1 one.
  EXPECT_EQ(p->digests().Find("/f", D(sha256)),
            DigestTable::Lookup::kDigestNotListed);
  ima::Digest sm3 = D("sm3:" + sha256);
  EXPECT_EQ(sm3.algo, ima::HashAlgo::kSm3);
  EXPECT_EQ(p->digests().Find("/f", D(std::string(40, 'A'))),
            DigestTable::Lookup::kMatch);
  EXPECT_EQ(p->digests().Find("/g", D(std::string(40, 'a'))),
            DigestTable::Lookup::kNameNotFound);
}

TEST(RuntimePolicyTest, ExcludesAnchorAtStart) {
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(
      R"({"meta": {"version": 1}, "excludes": ["/tmp/", ".*\\.log$", "x"]})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->excludes().Matches("/tmp/a"));
  EXPECT_TRUE(p->excludes().Matches("/var/x.log"));
  EXPECT_TRUE(p->excludes().Matches("xyz"));
  EXPECT_FALSE(p->excludes().Matches("/var/tmp/a"));
  EXPECT_FALSE(p->excludes().Matches("/x"));
  EXPECT_FALSE(p->excludes().Matches("/var/x.logs"));
}

TEST(RuntimePolicyTest, VerificationKeys) {
  std::string pem = ReadFile(absl::StrCat(kData, "ima_keys/rsa2048pub.pem"));
  absl::StatusOr<std::vector<ima::KeyringKey>> keys = ima::ParseKeysPem(pem);
  ASSERT_TRUE(keys.ok());
  std::string b64 = absl::Base64Escape((*keys)[0].spki_der);
  // Keylime's ImaKeyring JSON, as a JSON string inside the policy.
  std::string inner =
      absl::StrCat(R"({"pubkeys": [")", b64, R"("], "keyids": [305419896]})");
  std::string escaped = absl::StrReplaceAll(inner, {{"\"", "\\\""}});
  absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(absl::StrCat(
      R"({"meta": {"version": 1}, "verification-keys": ")", escaped, R"("})"));
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->verification_keys().size(), 1u);
  EXPECT_EQ(p->verification_keys().keys()[0].keyid, 0x12345678u);

  // PEM text.
  std::string pem_json;
  for (char c : pem) {
    if (c == '\n') {
      pem_json += "\\n";
    } else {
      pem_json += c;
    }
  }
  p = RuntimePolicy::Load(absl::StrCat(
      R"({"meta": {"version": 1}, "verification-keys": ")", pem_json, R"("})"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->verification_keys().keys()[0].keyid, (*keys)[0].keyid);
}

struct Bad {
  std::string json;
  std::string want;
};

TEST(RuntimePolicyTest, EveryFieldValidated) {
  const std::string h = std::string(64, 'a');
  const std::vector<Bad> cases = {
      {"", "empty"},
      {"{", "not valid JSON"},
      {"{} x", "not valid JSON"},
      {R"({})", "no \"meta\""},
      {R"({"meta": 1})", "meta: must be an object, not an integer"},
      {R"({"meta": {}})", "meta.version: missing"},
      {R"({"meta": {"version": "1"}})", "meta.version: must be an integer"},
      {R"({"meta": {"version": 2}})", "meta.version: 2 is not supported"},
      {R"({"meta": {"version": 1, "generator": true}})", "meta.generator"},
      {R"({"meta": {"version": 1, "timestamp": 5}})", "meta.timestamp"},
      {R"({"meta": {"version": 1}, "release": -1})", "release: must be"},
      {R"({"meta": {"version": 1}, "release": "0"})", "release: must be"},
      {R"({"meta": {"version": 1}, "digests": []})",
       "digests: must be an object"},
      {R"({"meta": {"version": 1}, "digests": {"/a": "x"}})",
       "digests[\"/a\"]: must be an array of digests, not a string"},
      {R"({"meta": {"version": 1}, "digests": {"/a": [1]}})",
       "digests[\"/a\"][0]: must be a digest string, not an integer"},
      {R"({"meta": {"version": 1}, "digests": {"/usr/bin/ls": [")" + h +
           R"(", ")" + h + R"(", "xyz"]}})",
       "digests[\"/usr/bin/ls\"][2]: 'xyz' is not a hex digest"},
      {R"({"meta": {"version": 1}, "digests": {"/a": ["abcd"]}})",
       "not a hex digest of a known size"},
      {R"({"meta": {"version": 1}, "digests": {"/a": ["sha256:abcd"]}})",
       "has 4 hex digits; sha256 needs 64"},
      {R"({"meta": {"version": 1}, "digests": {"/a": ["md4:abcd"]}})",
       "unknown hash algorithm 'md4'"},
      {R"({"meta": {"version": 1}, "digests": {"/a": []}})",
       "digests[\"/a\"]: no digests"},
      {R"({"meta": {"version": 1}, "digests": {"/a": [")" + h +
           R"("], "/a": [")" + h + R"("]}})",
       "digests[\"/a\"]: duplicate key"},
      {R"({"meta": {"version": 1}, "meta": {"version": 1}})",
       "duplicate key \"meta\""},
      {R"({"meta": {"version": 1}, "excludes": "/tmp"})",
       "excludes: must be an array of strings"},
      {R"({"meta": {"version": 1}, "excludes": ["/a", 3]})",
       "excludes[1]: must be a string"},
      {R"j({"meta": {"version": 1}, "excludes": ["/ok", "(?!x)"]})j",
       "excludes[1]: '(?!x)' is not a valid RE2 regex: "},
      {R"({"meta": {"version": 1}, "excludes": ["(a"]})",
       "excludes[0]: '(a' is not a valid RE2 regex: missing )"},
      {R"({"meta": {"version": 1}, "keyrings": {".ima": "x"}})",
       "keyrings[\".ima\"]: must be an array"},
      {R"({"meta": {"version": 1}, "ima-buf": {"k": ["zz"]}})",
       "ima-buf[\"k\"][0]: 'zz' is not a hex digest"},
      {R"({"meta": {"version": 1}, "ima": []})", "ima: must be an object"},
      {R"({"meta": {"version": 1}, "ima": {"ignored_keyrings": ".ima"}})",
       "ima.ignored_keyrings: must be an array"},
      {R"({"meta": {"version": 1}, "ima": {"log_hash_alg": "md5"}})",
       "ima.log_hash_alg: 'md5' is not sha1"},
      {R"({"meta": {"version": 1}, "ima": {"log_hash_alg": 1}})",
       "ima.log_hash_alg: must be a string"},
      {R"({"meta": {"version": 1}, "ima": {"dm_policy": {}}})",
       "ima.dm_policy: device-mapper policies are not supported"},
      {R"({"meta": {"version": 1}, "verification-keys": 1})",
       "verification-keys: must be a string"},
      {R"({"meta": {"version": 1}, "verification-keys": "garbage"})",
       "verification-keys: neither PEM nor Keylime keyring JSON"},
      {R"({"meta": {"version": 1}, )"
       R"("verification-keys": "{\"pubkeys\": [\"!\"]}"})",
       "verification-keys.pubkeys[0]: not base64"},
      {R"({"meta": {"version": 1}, )"
       R"("verification-keys": "{\"pubkeys\": [\"AAAA\"]}"})",
       "verification-keys.pubkeys[0]: neither a DER X.509"},
      {R"({"payload": "e30=", "payloadType": "x"})", "DSSE"},
      {R"([1, 2])", "runtime policy: must be a JSON object, not an array"},
  };
  for (const Bad& c : cases) {
    absl::StatusOr<RuntimePolicy> p = RuntimePolicy::Load(c.json);
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.want)) << c.json;
  }
}

TEST(RuntimePolicyTest, SizeLimit) {
  std::string big(kMaxRuntimePolicyBytes + 1, ' ');
  big[0] = '{';
  absl::Status s = RuntimePolicy::Load(big).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("100 MiB"));
}

}  // namespace
}  // namespace candor::policy
