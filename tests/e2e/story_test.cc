// The demo's story as assertions (issue 5 point 8), on real parts: four
// agents on swtpm, registrar and verifier on PostgreSQL, the tenant binary.
// Three agents get a runtime policy and a boot reference state made from
// node 1's logs and a payload and pass; the fourth runs an unlisted binary
// from the start and FAILS, and never receives V; then node 1 runs an
// unlisted binary: FAILED with ima.not_in_policy and the path, the other
// agents run their revocation action, the payload was decrypted on nodes
// 1-3 only. Also: `tenant watch -o json` replays the story, and the
// verifier's /metrics has every documented name.
#include <dirent.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/metrics/metrics_catalogue.h"
#include "lib/metrics/testing/http_get.h"
#include "tests/e2e/fleet.h"
#include "tests/harness/resources.h"

namespace candor::e2e {
namespace {

using ::testing::HasSubstr;

// Paths of regular files under `dir` whose name is `name` (recursive).
void FindFiles(const std::string& dir, const std::string& name,
               std::vector<std::string>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string path = dir + "/" + n;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) FindFiles(path, name, out);
    if (S_ISREG(st.st_mode) && n == name) out.push_back(path);
  }
  ::closedir(d);
}

absl::Status WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!ReadFile(path).ok()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("no file " + path);
    }
    absl::SleepFor(absl::Milliseconds(100));  // polling a condition
  }
  return absl::OkStatus();
}

TEST(StoryTest, FleetPassesTamperIsCaughtRevocationRunsPayloadOnlyOnGoodNodes) {
  FleetOptions options;
  options.nodes = 4;
  std::unique_ptr<Fleet> started;
  CANDOR_START_FLEET(started, options);
  Fleet& fleet = *started;
  const std::string v = fleet.verifier_address();
  const std::string dir = fleet.dir();

  // Policies from node 1's logs, stored in the verifier.
  auto r = fleet.Tenant({"--out", dir + "/runtime.json", "policy", "create",
                         "--ima-log", fleet.node(0).ima_log});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = fleet.Tenant({"--out", dir + "/refstate.json", "bootlog", "refstate",
                    fleet.node(0).boot_log});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = fleet.Tenant({"policy", "add", "web", "--kind", "runtime", "--file",
                    dir + "/runtime.json", "--verifier", v});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = fleet.Tenant({"policy", "add", "boot", "--kind", "boot", "--file",
                    dir + "/refstate.json", "--verifier", v});
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // The payload: a secret and a script that proves it ran.
  const std::string payload = dir + "/payload";
  ::mkdir(payload.c_str(), 0755);
  ASSERT_TRUE(WriteFileAtomically(payload + "/secret.txt", "s3cret\n").ok());
  ASSERT_TRUE(WriteFileAtomically(payload + "/autorun.sh",
                                  "#!/bin/sh\necho ran > autorun-ran\n")
                  .ok());
  ::chmod((payload + "/autorun.sh").c_str(), 0755);

  // Node 4 runs an unlisted binary before it is added.
  ASSERT_TRUE(fleet.RunUnlisted(3, "/opt/rogue/miner", "mine\n").ok());

  EventStream events(fleet);
  for (int i = 0; i < 4; ++i) {
    r = fleet.Tenant({"agent", "add", fleet.node(i).id, "--verifier", v,
                      "--registrar", fleet.registrar_address(),
                      "--runtime-policy", "web", "--boot-policy", "boot",
                      "--payload", payload});
    ASSERT_EQ(r.exit_code, 0) << r.output << fleet.LogTails();
  }
  for (int i = 0; i < 3; ++i) {
    auto e = events.WaitFor(
        ReachesState(fleet.node(i).id, v1::OPERATIONAL_STATE_ATTESTING),
        absl::Seconds(30));
    ASSERT_TRUE(e.ok()) << e.status() << fleet.LogTails();
    auto k = events.WaitFor(
        Is(fleet.node(i).id, v1::EVENT_KIND_KEY_SHARE_DELIVERED),
        absl::Seconds(30));
    ASSERT_TRUE(k.ok()) << k.status() << fleet.LogTails();
    EXPECT_TRUE(k->key_share().key_recombined()) << k->DebugString();
    EXPECT_TRUE(k->key_share().payload_decrypted()) << k->DebugString();
  }
  auto failed4 = events.WaitFor(
      Is(fleet.node(3).id, v1::EVENT_KIND_ATTESTATION_FAILED),
      absl::Seconds(30));
  ASSERT_TRUE(failed4.ok()) << failed4.status() << fleet.LogTails();
  EXPECT_TRUE(HasFailureId(*failed4, "ima.not_in_policy"));
  EXPECT_THAT(failed4->DebugString(), HasSubstr("/opt/rogue/miner"));

  // Tamper on node 1.
  ASSERT_TRUE(fleet.RunUnlisted(0, "/usr/local/bin/evil", "evil\n").ok());
  auto failed1 = events.WaitFor(
      Is(fleet.node(0).id, v1::EVENT_KIND_ATTESTATION_FAILED),
      absl::Seconds(30));
  ASSERT_TRUE(failed1.ok()) << failed1.status() << fleet.LogTails();
  EXPECT_TRUE(HasFailureId(*failed1, "ima.not_in_policy"));
  EXPECT_THAT(failed1->DebugString(), HasSubstr("/usr/local/bin/evil"));
  auto revoked = events.WaitFor(
      Is(fleet.node(0).id, v1::EVENT_KIND_REVOCATION_SENT), absl::Seconds(30));
  ASSERT_TRUE(revoked.ok()) << revoked.status() << fleet.LogTails();
  EXPECT_FALSE(revoked->revocation().signature().empty());
  for (int i : {1, 2}) {
    const std::string out = fleet.node(i).RevocationOutput(fleet.node(0).id);
    ASSERT_TRUE(WaitForFile(out, absl::Seconds(30)).ok())
        << out << fleet.LogTails();
    EXPECT_THAT(*ReadFile(out), HasSubstr("node-1"));
  }

  // The payload was decrypted, and its script ran, on nodes 1-3 only.
  for (int i = 0; i < 4; ++i) {
    std::vector<std::string> secrets, ran;
    FindFiles(fleet.node(i).secure_dir, "secret.txt", secrets);
    if (i < 3) {
      ASSERT_EQ(secrets.size(), 1u) << fleet.node(i).id;
      EXPECT_EQ(*ReadFile(secrets[0]), "s3cret\n");
      const std::string marker =
          secrets[0].substr(0, secrets[0].rfind('/')) + "/autorun-ran";
      EXPECT_TRUE(WaitForFile(marker, absl::Seconds(10)).ok()) << marker;
    } else {
      EXPECT_TRUE(secrets.empty()) << "node 4 must never decrypt the payload";
    }
  }
  for (const auto& e : events.events()) {
    EXPECT_FALSE(e.agent_id() == fleet.node(3).id &&
                 e.kind() == v1::EVENT_KIND_KEY_SHARE_DELIVERED)
        << "V was delivered to the failing node";
  }

  // The same story from the tenant: watch -o json from the oldest event.
  r = fleet.Tenant({"-o", "json", "watch", "--verifier", v, "--from-oldest",
                    "--kind", "attestation_failed", "--count", "2"},
                   absl::Seconds(30));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("/usr/local/bin/evil"));
  EXPECT_THAT(r.output, HasSubstr("/opt/rogue/miner"));
  r = fleet.Tenant({"agent", "status", fleet.node(0).id, "--verifier", v});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAILED"));

  // Every documented metric is exported by its daemon (lib/metrics
  // catalogue: the one place that names them).
  const std::pair<metrics::Component, int> daemons[] = {
      {metrics::Component::kVerifier, fleet.verifier_metrics_port()},
      {metrics::Component::kRegistrar, fleet.registrar_metrics_port()},
      {metrics::Component::kAgent, fleet.node(1).metrics_port}};
  for (const auto& [component, port] : daemons) {
    const std::string body = metrics::testing::HttpGet(port, "/metrics");
    ASSERT_THAT(body, HasSubstr("200 OK")) << "port " << port;
    int checked = 0;
    for (const metrics::MetricDef& def : metrics::Catalogue()) {
      if (def.component != component) continue;
      EXPECT_THAT(body, HasSubstr(absl::StrCat("# HELP ", def.name, " ")))
          << def.name;
      ++checked;
    }
    EXPECT_GT(checked, 0);
  }
  // The verifier counted what happened.
  const std::string vm =
      metrics::testing::HttpGet(fleet.verifier_metrics_port(), "/metrics");
  EXPECT_THAT(vm, HasSubstr("failure_id=\"ima.not_in_policy\"")) << vm;
}

}  // namespace
}  // namespace candor::e2e
