// The daemons as a user runs them: each starts, answers the gRPC health
// service for itself and its candor.v1 service, logs --insecure loudly, and
// stops cleanly on SIGTERM; without --insecure it refuses to start and says
// why. The agent reads its EK certificates from a real swtpm at start and
// exits with a clear error when its TPM cannot be reached.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "cli/tenant/testing/run_tenant.h"
#include "tests/harness/ports.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"

namespace candor {
namespace {

using ::testing::HasSubstr;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

std::string Binary(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/candor/services/", name,
                      "/", name);
}

std::string LogPath(const std::string& name) {
  static int n = 0;
  return absl::StrCat(testing::TestTmpRoot(), "/", name, ".", n++, ".log");
}

// Blocks until the server answers a health check for `service` (gRPC
// waits for the connection; bounded by the deadline).
HealthCheckResponse::ServingStatus Health(int port, const std::string& service) {
  // Short reconnect backoff: the daemon may not listen yet on the first try.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                           grpc::InsecureChannelCredentials(),
                                           args);
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_wait_for_ready(true);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  HealthCheckRequest req;
  req.set_service(service);
  HealthCheckResponse resp;
  grpc::Status st = stub->Check(&ctx, req, &resp);
  return st.ok() ? resp.status() : HealthCheckResponse::UNKNOWN;
}

struct Case {
  std::string name;
  std::string service;
};

// What a daemon needs besides its listen address and transport security:
// the verifier keeps its state in PostgreSQL and seals V shares with a key
// (a file when --insecure gives no TLS key to derive it from).
absl::StatusOr<std::vector<std::string>> StateArgs(const std::string& name,
                                                   bool insecure) {
  if (name != "verifier") return std::vector<std::string>{};
  auto pg = testing::SharedPostgres();
  if (!pg.ok()) return pg.status();
  auto db = (*pg)->CreateDatabase("daemon");
  if (!db.ok()) return db.status();
  std::vector<std::string> args = {"--database=" + *db,
                                   "--registrar=127.0.0.1:1"};
  if (insecure) {
    const std::string key = testing::TestTmpRoot() + "/v_share.key";
    FILE* f = std::fopen(key.c_str(), "w");
    if (f == nullptr) return absl::InternalError("cannot write " + key);
    std::fputs(std::string(64, 'a').c_str(), f);
    std::fclose(f);
    args.push_back("--v_share_key_file=" + key);
  }
  return args;
}

class DaemonTest : public ::testing::TestWithParam<Case> {};

TEST_P(DaemonTest, StartsServesHealthAndStopsOnSigterm) {
  const Case& c = GetParam();
  auto port = testing::PickFreePort();
  ASSERT_TRUE(port.ok());
  testing::SubprocessOptions o;
  o.argv = {Binary(c.name), absl::StrCat("--listen=127.0.0.1:", *port),
            "--insecure"};
  auto extra = StateArgs(c.name, /*insecure=*/true);
  CANDOR_REQUIRE_RESOURCE(extra);
  o.argv.insert(o.argv.end(), extra->begin(), extra->end());
  o.stdout_path = LogPath(c.name);
  auto p = testing::Subprocess::Start(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(Health(*port, ""), HealthCheckResponse::SERVING)
      << testing::FileTail(o.stdout_path);
  EXPECT_EQ(Health(*port, c.service), HealthCheckResponse::SERVING);
  int st = (*p)->Stop(SIGTERM, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
      << testing::DescribeWaitStatus(st);
  std::string log = testing::FileTail(o.stdout_path, 1 << 16);
  EXPECT_THAT(log, HasSubstr("--insecure"));
  EXPECT_THAT(log, HasSubstr(c.name + ": stopped"));
}

TEST_P(DaemonTest, RefusesToStartWithoutTransportSecurityChoice) {
  const Case& c = GetParam();
  testing::SubprocessOptions o;
  o.argv = {Binary(c.name), "--listen=127.0.0.1:0"};
  o.stdout_path = LogPath(c.name);
  auto p = testing::Subprocess::Start(o);
  ASSERT_TRUE(p.ok());
  auto st = (*p)->Wait(absl::Seconds(15));
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 2);
  EXPECT_THAT(testing::FileTail(o.stdout_path), HasSubstr("--insecure"));
}

INSTANTIATE_TEST_SUITE_P(
    Servers, DaemonTest,
    ::testing::Values(Case{"registrar", "candor.v1.RegistrarService"},
                      Case{"verifier", "candor.v1.VerifierService"}),
    [](const auto& info) { return info.param.name; });

TEST(AgentDaemonTest, StartsOnSwtpmAndServes) {
  auto tpm = testing::Swtpm::Start();
  CANDOR_REQUIRE_RESOURCE(tpm);
  auto port = testing::PickFreePort();
  ASSERT_TRUE(port.ok());
  testing::SubprocessOptions o;
  o.argv = {Binary("agent"), absl::StrCat("--listen=127.0.0.1:", *port),
            "--tcti=" + (*tpm)->tcti(), "--insecure",
            "--state_dir=" + testing::TestTmpRoot() + "/agent-state",
            "--ima_log=" + testing::TestTmpRoot() + "/no-ima-log"};
  o.stdout_path = LogPath("agent");
  auto p = testing::Subprocess::Start(o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Health(*port, "candor.v1.AgentService"),
            HealthCheckResponse::SERVING)
      << testing::FileTail(o.stdout_path);
  int st = (*p)->Stop(SIGTERM, absl::Seconds(15));
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  std::string log = testing::FileTail(o.stdout_path, 1 << 16);
  EXPECT_THAT(log, HasSubstr("EK certificate: 1016 bytes"));
  EXPECT_THAT(log, HasSubstr("--insecure"));
}

TEST(AgentDaemonTest, UnreachableTpmIsAClearStartupError) {
  testing::SubprocessOptions o;
  o.argv = {Binary("agent"), "--listen=127.0.0.1:0",
            "--tcti=swtpm:host=127.0.0.1,port=1", "--insecure"};
  o.stdout_path = LogPath("agent");
  auto p = testing::Subprocess::Start(o);
  ASSERT_TRUE(p.ok());
  auto st = (*p)->Wait(absl::Seconds(15));
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 1);
  std::string log = testing::FileTail(o.stdout_path, 1 << 16);
  EXPECT_THAT(log, HasSubstr("cannot open the TPM"));
  EXPECT_THAT(log, HasSubstr("port=1"));
}

}  // namespace
}  // namespace candor

namespace candor {
namespace {

using CmdResult = testing::CommandResult;
using tenant::RunTenant;

// mTLS end to end with the real binaries: `tenant certs init`, a registrar
// and a verifier started with those certificates, `tenant health` over mTLS.
TEST(MtlsDaemonTest, TenantCertsInitThenHealthOverMtls) {
  std::string dir = testing::TestTmpRoot() + "/certs";
  CmdResult init = RunTenant({"certs", "init", "--dir", dir});
  ASSERT_EQ(init.exit_code, 0) << init.output;
  EXPECT_EQ(RunTenant({"certs", "init", "--dir", dir}).exit_code, 3)
      << "a second init must not overwrite the CA";
  for (const std::string name : {"registrar", "verifier"}) {
    auto port = testing::PickFreePort();
    ASSERT_TRUE(port.ok());
    testing::SubprocessOptions o;
    o.argv = {Binary(name), absl::StrCat("--listen=127.0.0.1:", *port),
              "--tls_cert=" + dir + "/" + name + ".crt",
              "--tls_key=" + dir + "/" + name + ".key",
              "--tls_ca=" + dir + "/ca.crt"};
    auto extra = StateArgs(name, /*insecure=*/false);
    CANDOR_REQUIRE_RESOURCE(extra);
    o.argv.insert(o.argv.end(), extra->begin(), extra->end());
    o.stdout_path = LogPath(name);
    auto p = testing::Subprocess::Start(o);
    ASSERT_TRUE(p.ok());
    std::string address = absl::StrCat("127.0.0.1:", *port);
    ASSERT_TRUE(testing::WaitForPort(*port, absl::Seconds(20), [&] {
                  return (*p)->Running();
                }).ok())
        << testing::FileTail(o.stdout_path);
    CmdResult health =
        RunTenant({"--certs", dir, "health", "--address", address});
    EXPECT_EQ(health.exit_code, 0) << health.output
                                   << testing::FileTail(o.stdout_path);
    EXPECT_THAT(health.output, HasSubstr("SERVING"));
    // Without the tenant certificate the call is refused (exit 5 or 6: the
    // handshake fails where a client certificate is required).
    CmdResult anon = RunTenant({"--certs", dir + "/nowhere", "health",
                                "--address", address});
    EXPECT_EQ(anon.exit_code, 3) << anon.output;
    EXPECT_THAT(anon.output, HasSubstr("tenant certs init"));
    EXPECT_EQ((*p)->Stop(SIGTERM, absl::Seconds(15)), 0);
    EXPECT_THAT(testing::FileTail(o.stdout_path, 1 << 16), HasSubstr("mTLS"));
  }
}

}  // namespace
}  // namespace candor
