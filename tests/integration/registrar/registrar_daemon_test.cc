// The registrar binary as an operator runs it: --database (PostgreSQL, schema
// migrated at start), --ek_ca_dir, --insecure; an agent enrolls through it,
// and a registration survives a restart of the daemon (it lives in
// PostgreSQL). Bad configuration stops it at start with exit 2 and a reason.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "tests/harness/ports.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

std::string Binary() {
  return absl::StrCat(std::getenv("TEST_SRCDIR"),
                      "/candor/services/registrar/registrar");
}

class RegistrarDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = testing::SharedPostgres();
    CANDOR_REQUIRE_RESOURCE(pg);
    auto db = (*pg)->CreateDatabase("regdaemon");
    ASSERT_TRUE(db.ok()) << db.status();
    conninfo_ = *db;
    auto ca = registrar::testing::MakeTestEkCa("Daemon EK");
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::move(*ca);
  }

  // Starts the daemon; returns once it answers (wait_for_ready).
  void StartDaemon(int n) {
    auto port = testing::PickFreePort();
    ASSERT_TRUE(port.ok());
    testing::SubprocessOptions o;
    o.argv = {Binary(),
              absl::StrCat("--listen=127.0.0.1:", *port),
              "--insecure",
              "--database=" + conninfo_,
              "--ek_ca_dir=" + ca_.dir,
              "--db_pool_size=2"};
    log_ = absl::StrCat(testing::TestTmpRoot(), "/registrar.", n, ".log");
    o.stdout_path = log_;
    auto p = testing::Subprocess::Start(o);
    ASSERT_TRUE(p.ok()) << p.status();
    process_ = std::move(*p);
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    stub_ = v1::RegistrarService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", *port),
                                  grpc::InsecureChannelCredentials(), args));
  }
  void Deadline(grpc::ClientContext& ctx) {
    ctx.set_wait_for_ready(true);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
  }
  void StopDaemon() {
    int st = process_->Stop(SIGTERM, absl::Seconds(15));
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
        << testing::DescribeWaitStatus(st) << testing::FileTail(log_);
  }

  std::string conninfo_;
  registrar::testing::TestEkCa ca_;
  std::string log_;
  std::unique_ptr<testing::Subprocess> process_;
  std::unique_ptr<v1::RegistrarService::Stub> stub_;
};

TEST_F(RegistrarDaemonTest, EnrollsAnAgentAndKeepsItAcrossARestart) {
  StartDaemon(0);
  registrar::testing::AgentOptions o;
  o.ca = &ca_;
  o.transport_key = false;
  auto agent = registrar::testing::MakeSoftwareAgent(o);
  ASSERT_TRUE(agent.ok());
  v1::RegisterResponse challenge;
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    grpc::Status s =
        stub_->Register(&ctx, agent->MakeRegisterRequest(), &challenge);
    ASSERT_TRUE(s.ok()) << s.error_message() << testing::FileTail(log_);
  }
  auto activate = agent->MakeActivateRequest(challenge);
  ASSERT_TRUE(activate.ok());
  {
    grpc::ClientContext ctx;
    Deadline(ctx);
    v1::RegisteredAgent out;
    grpc::Status s = stub_->Activate(&ctx, *activate, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.state(), v1::REGISTRATION_STATE_ACTIVE);
  }
  StopDaemon();
  std::string log = testing::FileTail(log_, 1 << 16);
  EXPECT_THAT(log, HasSubstr("EK CA directory " + ca_.dir));
  EXPECT_THAT(log, HasSubstr("schema current"));
  EXPECT_THAT(log, HasSubstr("activated"));

  StartDaemon(1);
  grpc::ClientContext ctx;
  Deadline(ctx);
  v1::GetRegisteredAgentRequest req;
  req.set_agent_id(agent->agent_id);
  v1::RegisteredAgent out;
  grpc::Status s = stub_->GetRegisteredAgent(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::REGISTRATION_STATE_ACTIVE);
  StopDaemon();
}

TEST_F(RegistrarDaemonTest, BadConfigurationStopsItAtStart) {
  struct Case {
    std::string flag;
    std::string says;
  } cases[] = {
      {"--ek_ca_dir=/nonexistent/ek-ca", "/nonexistent/ek-ca"},
      {"--ek_allowlist=/nonexistent/allow", "/nonexistent/allow"},
  };
  for (const Case& c : cases) {
    testing::SubprocessOptions o;
    o.argv = {Binary(), "--listen=127.0.0.1:0", "--insecure", c.flag};
    o.stdout_path = absl::StrCat(testing::TestTmpRoot(), "/bad.log");
    auto p = testing::Subprocess::Start(o);
    ASSERT_TRUE(p.ok());
    auto st = (*p)->Wait(absl::Seconds(15));
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 2)
        << testing::DescribeWaitStatus(*st);
    EXPECT_THAT(testing::FileTail(o.stdout_path), HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace candor
