#include "tests/integration/agent/agent_fixture.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "lib/common/file_util.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "tests/harness/ports.h"
#include "tests/harness/resources.h"

namespace candor {

std::string Tmp(const std::string& name) {
  return testing::TestTmpRoot() + "/" + name;
}

testing::Swtpm* AgentTest::tpm_ = nullptr;
absl::Status* AgentTest::start_ = nullptr;

void AgentTest::SetUpTestSuite() {
  auto tpm = testing::Swtpm::Start();
  start_ = new absl::Status(tpm.status());
  if (!tpm.ok()) return;
  tpm_ = tpm->release();
  pki::InitOptions o;
  o.dir = Tmp("pki");
  o.overwrite = true;
  *start_ = pki::InitPki(o).status();
}

void AgentTest::TearDownTestSuite() {
  delete tpm_;
  tpm_ = nullptr;
}

void AgentTest::SetUp() {
  CANDOR_REQUIRE_RESOURCE(*start_);
  ASSERT_TRUE(WriteFileAtomically(Tmp("boot_id"), "boot-1\n").ok());
  StartAgent();
}

void AgentTest::StartAgent() {
  auto port = testing::PickFreePort();
  ASSERT_TRUE(port.ok());
  port_ = *port;
  testing::SubprocessOptions o;
  o.argv = {absl::StrCat(std::getenv("TEST_SRCDIR"),
                         "/candor/services/agent/agent"),
            absl::StrCat("--listen=127.0.0.1:", port_),
            "--tcti=" + tpm_->tcti(),
            "--agent_id=" + std::string(kAgentId),
            "--state_dir=" + Tmp("state"),
            "--ca=" + pki::CertPath(Tmp("pki"), "ca"),
            "--ima_log=" + Tmp("ima.log"),
            "--boot_log=" + Tmp("boot.log"),
            "--boot_id_file=" + Tmp("boot_id")};
  log_ = Tmp(absl::StrCat("agent.", runs_++, ".log"));
  o.stdout_path = log_;
  auto p = testing::Subprocess::Start(o);
  ASSERT_TRUE(p.ok()) << p.status();
  agent_ = std::move(*p);
  ASSERT_TRUE(testing::WaitForPort(port_, absl::Seconds(30), [&] {
                return agent_->Running();
              }).ok())
      << testing::FileTail(log_);
}

void AgentTest::StopAgent() {
  if (agent_ == nullptr) return;
  EXPECT_EQ(agent_->Stop(SIGTERM, absl::Seconds(15)), 0)
      << testing::FileTail(log_);
  agent_.reset();
}

std::unique_ptr<v1::AgentService::Stub> AgentTest::Stub(
    const std::string& client, const std::string& target) {
  auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(Tmp("pki"), "ca"),
                                      pki::CertPath(Tmp("pki"), client),
                                      pki::KeyPath(Tmp("pki"), client));
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  auto pinned = ReadFile(Tmp("state") + "/tls.crt");
  EXPECT_TRUE(pinned.ok());
  cfg->root_pem = *pinned;
  cfg->target_name = target;
  return v1::AgentService::NewStub(
      rpc::Dial(absl::StrCat("127.0.0.1:", port_), &*cfg));
}

absl::StatusOr<v1::Evidence> AgentTest::Quote(v1::EvidenceRequest req,
                                              const std::string& client) {
  auto stub = Stub(client);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetQuoteRequest r;
  *r.mutable_request() = std::move(req);
  v1::GetQuoteResponse resp;
  absl::Status s = FromGrpcStatus(stub->GetQuote(&ctx, r, &resp));
  if (!s.ok()) return s;
  return resp.evidence();
}

absl::StatusOr<v1::GetIdentityResponse> AgentTest::Identity() {
  auto stub = Stub("verifier");
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetIdentityResponse resp;
  absl::Status s =
      FromGrpcStatus(stub->GetIdentity(&ctx, v1::GetIdentityRequest(), &resp));
  if (!s.ok()) return s;
  return resp;
}

v1::EvidenceRequest AgentTest::Request(std::vector<uint32_t> pcrs) {
  v1::EvidenceRequest r;
  r.set_nonce(std::string(20, '\x42'));
  auto* sel = r.add_pcr_selections();
  sel->set_bank(v1::HASH_ALGORITHM_SHA256);
  for (uint32_t p : pcrs) sel->add_pcrs(p);
  return r;
}

}  // namespace candor
