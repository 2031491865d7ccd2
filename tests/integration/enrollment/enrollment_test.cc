// Enrollment with the real binaries, as an operator runs them: an agent on a
// provisioned swtpm (RSA or ECC EK), started while the registrar is still
// down, retries with backoff and enrolls once the registrar (mTLS, its EK CA
// directory = the swtpm CA, state in PostgreSQL) comes up; the registrar then
// shows it ACTIVE with the agent's registered identity.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/metrics/testing/http_get.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "tests/harness/ports.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

std::string Tmp(const std::string& name) {
  return testing::TestTmpRoot() + "/" + name;
}
std::string Bin(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/candor/services/", name,
                      "/", name);
}

class EnrollmentTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto tpm = testing::Swtpm::Start();
    CANDOR_REQUIRE_RESOURCE(tpm);
    tpm_ = std::move(*tpm);
    auto pg = testing::SharedPostgres();
    CANDOR_REQUIRE_RESOURCE(pg);
    auto db = (*pg)->CreateDatabase("enroll");
    ASSERT_TRUE(db.ok()) << db.status();
    conninfo_ = *db;
    pki_ = Tmp("pki-" + GetParam());
    pki::InitOptions o;
    o.dir = pki_;
    o.overwrite = true;
    ASSERT_TRUE(pki::InitPki(o).ok());
    auto ca = testing::Swtpm::EkCaDir();
    ASSERT_TRUE(ca.ok()) << ca.status();
    ek_ca_dir_ = *ca;
    auto rp = testing::PickFreePort();
    auto ap = testing::PickFreePort();
    ASSERT_TRUE(rp.ok() && ap.ok());
    registrar_port_ = *rp;
    agent_port_ = *ap;
    auto rm = testing::PickFreePort();
    auto am = testing::PickFreePort();
    ASSERT_TRUE(rm.ok() && am.ok());
    registrar_metrics_port_ = *rm;
    agent_metrics_port_ = *am;
  }

  std::unique_ptr<testing::Subprocess> StartAgent(const std::string& ek,
                                                  const std::string& log) {
    testing::SubprocessOptions o;
    o.argv = {Bin("agent"),
              absl::StrCat("--listen=127.0.0.1:", agent_port_),
              "--tcti=" + tpm_->tcti(),
              "--ek=" + ek,
              "--ak=" + ek,
              "--state_dir=" + Tmp("state-" + ek),
              "--ca=" + pki::CertPath(pki_, "ca"),
              absl::StrCat("--registrar=localhost:", registrar_port_),
              "--ima_log=" + Tmp("none"),
              "--boot_log=" + Tmp("none"),
              absl::StrCat("--metrics_listen=127.0.0.1:", agent_metrics_port_)};
    o.stdout_path = log;
    auto p = testing::Subprocess::Start(o);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : nullptr;
  }

  std::unique_ptr<testing::Subprocess> StartRegistrar(const std::string& log) {
    testing::SubprocessOptions o;
    o.argv = {Bin("registrar"),
              absl::StrCat("--listen=127.0.0.1:", registrar_port_),
              "--tls_cert=" + pki::CertPath(pki_, "registrar"),
              "--tls_key=" + pki::KeyPath(pki_, "registrar"),
              "--tls_ca=" + pki::CertPath(pki_, "ca"),
              "--database=" + conninfo_,
              "--ek_ca_dir=" + ek_ca_dir_,
              absl::StrCat("--metrics_listen=127.0.0.1:",
                           registrar_metrics_port_)};
    o.stdout_path = log;
    auto p = testing::Subprocess::Start(o);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : nullptr;
  }

  // GetRegisteredAgent as a verifier (mTLS).
  absl::StatusOr<v1::RegisteredAgent> Lookup(const std::string& agent_id) {
    auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(pki_, "ca"),
                                        pki::CertPath(pki_, "verifier"),
                                        pki::KeyPath(pki_, "verifier"));
    if (!cfg.ok()) return cfg.status();
    cfg->target_name = "localhost";
    auto stub = v1::RegistrarService::NewStub(
        rpc::Dial(absl::StrCat("127.0.0.1:", registrar_port_), &*cfg));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::GetRegisteredAgentRequest req;
    req.set_agent_id(agent_id);
    v1::RegisteredAgent resp;
    absl::Status s = FromGrpcStatus(stub->GetRegisteredAgent(&ctx, req, &resp));
    if (!s.ok()) return s;
    return resp;
  }

  std::unique_ptr<testing::Swtpm> tpm_;
  std::string conninfo_, pki_, ek_ca_dir_;
  int registrar_port_ = 0, agent_port_ = 0;
  int registrar_metrics_port_ = 0, agent_metrics_port_ = 0;
};

TEST_P(EnrollmentTest, AgentRetriesUntilTheRegistrarIsUpThenEnrolls) {
  const std::string ek = GetParam();
  const std::string agent_log = Tmp("agent-" + ek + ".log");
  auto agent = StartAgent(ek, agent_log);
  ASSERT_NE(agent, nullptr);
  // The registrar is down: the agent serves anyway and keeps retrying.
  ASSERT_TRUE(testing::WaitForPort(agent_port_, absl::Seconds(30), [&] {
                return agent->Running();
              }).ok())
      << testing::FileTail(agent_log);
  // Wait (bounded) until the agent has reported a failed attempt.
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (testing::FileTail(agent_log, 1 << 16).find("retrying in") ==
         std::string::npos) {
    ASSERT_LT(absl::Now(), deadline) << testing::FileTail(agent_log);
    ASSERT_TRUE(agent->Running()) << testing::FileTail(agent_log);
    absl::SleepFor(absl::Milliseconds(20));  // polling the agent's log
  }
  const std::string registrar_log = Tmp("registrar-" + ek + ".log");
  auto registrar = StartRegistrar(registrar_log);
  ASSERT_NE(registrar, nullptr);
  ASSERT_TRUE(testing::WaitForPort(registrar_port_, absl::Seconds(30), [&] {
                return registrar->Running();
              }).ok())
      << testing::FileTail(registrar_log);
  // The agent's next attempt (backoff: 1 s, 2 s, …) enrolls it.
  std::string agent_id;
  deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    std::string log = testing::FileTail(agent_log, 1 << 16);
    size_t at = log.find("enrolled at ");
    if (at != std::string::npos) {
      size_t as = log.find(" as ", at);
      size_t end = log.find(':', as);
      agent_id = log.substr(as + 4, end - as - 4);
      break;
    }
    ASSERT_EQ(log.find("enrollment refused"), std::string::npos) << log;
    ASSERT_LT(absl::Now(), deadline) << log << testing::FileTail(registrar_log);
    absl::SleepFor(absl::Milliseconds(50));  // polling the agent's log
  }
  auto reg = Lookup(agent_id);
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ(reg->state(), v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_EQ(reg->identity().agent_id(), agent_id);
  EXPECT_FALSE(reg->identity().tls_certificate().empty());
  EXPECT_FALSE(reg->identity().transport_public_key().empty());
  EXPECT_THAT(reg->ek_trust(), HasSubstr("swtpm-localca"));

  // The operator's view: `tenant registrar list|status` with the admin
  // certificate.
  std::string reg_flag = absl::StrCat("--registrar=localhost:", registrar_port_);
  testing::SubprocessOptions t;
  t.argv = {absl::StrCat(std::getenv("TEST_SRCDIR"), "/candor/cli/tenant/tenant"),
            "--certs=" + pki_, "-o", "json", "registrar", reg_flag, "list"};
  t.stdout_path = Tmp("tenant-list-" + ek + ".out");
  ASSERT_TRUE(testing::RunCommand(t).ok()) << testing::FileTail(t.stdout_path);
  EXPECT_THAT(testing::FileTail(t.stdout_path), HasSubstr(agent_id));
  EXPECT_THAT(testing::FileTail(t.stdout_path), HasSubstr("ACTIVE"));
  t.argv = {t.argv[0], "--certs=" + pki_, "registrar", reg_flag, "status",
            "no-such-agent"};
  t.stdout_path = Tmp("tenant-status-" + ek + ".out");
  absl::Status missing = testing::RunCommand(t);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("exit 4"));

  // Prometheus /metrics of both daemons show the enrollment.
  std::string reg_metrics =
      metrics::testing::HttpGet(registrar_metrics_port_, "/metrics");
  EXPECT_THAT(reg_metrics,
              HasSubstr("candor_registrar_registrations_total{result=\"ok\"} 1"));
  EXPECT_THAT(reg_metrics,
              HasSubstr("candor_registrar_activations_total{result=\"ok\"} 1"));
  std::string agent_metrics =
      metrics::testing::HttpGet(agent_metrics_port_, "/metrics");
  EXPECT_THAT(agent_metrics,
              HasSubstr("candor_agent_tpm_command_duration_seconds_count{"
                        "command=\"activate_credential\"} 1"));
  EXPECT_EQ(agent->Stop(SIGTERM, absl::Seconds(15)), 0);
  EXPECT_EQ(registrar->Stop(SIGTERM, absl::Seconds(15)), 0);
}

INSTANTIATE_TEST_SUITE_P(Eks, EnrollmentTest, ::testing::Values("rsa", "ecc"));

}  // namespace
}  // namespace candor
