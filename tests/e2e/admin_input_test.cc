// Bad admin input (issue 5 point 9) gets a clear error from the tenant, a
// non-zero exit code, and changes nothing: an unknown agent, an agent not
// registered, a malformed policy, a regex RE2 rejects, a policy over the size
// limit, an unknown policy reference.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "tests/e2e/fleet.h"
#include "tests/harness/resources.h"

namespace candor::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(AdminInputTest, RefusedWithClearErrorsAndNothingChanges) {
  FleetOptions o;
  o.nodes = 1;
  std::unique_ptr<Fleet> f;
  CANDOR_START_FLEET(f, o);
  Fleet& fleet = *f;
  const std::string v = fleet.verifier_address();
  const std::string dir = fleet.dir();

  auto r = fleet.Tenant({"agent", "status", "no-such-agent", "--verifier", v});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("no-such-agent"));
  EXPECT_THAT(r.output, HasSubstr("not found"));

  r = fleet.Tenant({"agent", "add", "never-registered", "--verifier", v});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("not registered"));

  ASSERT_TRUE(WriteFileAtomically(dir + "/broken.json", "{\"digests\": [").ok());
  r = fleet.Tenant({"policy", "add", "broken", "--kind", "runtime", "--file",
                    dir + "/broken.json", "--verifier", v});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("not valid JSON"));

  ASSERT_TRUE(WriteFileAtomically(
                  dir + "/lookahead.json",
                  R"({"meta": {"version": 1}, "digests": {}, )"
                  R"j("excludes": ["/tmp/.*", "(?=x)"]})j")
                  .ok());
  r = fleet.Tenant({"policy", "add", "lookahead", "--kind", "runtime",
                    "--file", dir + "/lookahead.json", "--verifier", v});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("excludes[1]"));

  {
    std::ofstream big(dir + "/big.json", std::ios::binary);
    big << "{\"digests\": {\"/a\": [\"";
    big << std::string(101 * 1024 * 1024, 'a');
    big << "\"]}}";
  }
  r = fleet.Tenant({"policy", "add", "big", "--kind", "runtime", "--file",
                    dir + "/big.json", "--verifier", v},
                   absl::Seconds(120));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("over the limit of 104857600 bytes"));

  r = fleet.Tenant({"agent", "add", fleet.node(0).id, "--verifier", v,
                    "--runtime-policy", "missing-policy"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("missing-policy"));

  // Nothing was stored.
  r = fleet.Tenant({"-o", "json", "policy", "list", "--verifier", v});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"broken", "lookahead", "big"}) {
    EXPECT_THAT(r.output, Not(HasSubstr(absl::StrCat("\"", name, "\""))));
  }
  r = fleet.Tenant({"-o", "json", "agent", "list", "--verifier", v});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr(fleet.node(0).id)));

  // The verifier unreachable reads as such, not as "not found" (KL#297).
  r = fleet.Tenant({"agent", "status", fleet.node(0).id, "--verifier",
                    "localhost:1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("reach"));
  EXPECT_THAT(r.output, Not(HasSubstr("not found")));
}

}  // namespace
}  // namespace candor::e2e
