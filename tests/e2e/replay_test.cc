// A replayed quote is rejected (issue 5 point 9). A man in the middle who
// holds the agent's TLS key but not its TPM (it copied the agent's state
// directory) sits between verifier and agent: it forwards the first GetQuote
// and answers every later one with that old, genuinely signed evidence. The
// verifier fails the agent with quote.nonce_mismatch at the first replay.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "candor/v1/agent.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/secret.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "tests/e2e/fleet.h"
#include "tests/harness/ports.h"
#include "tests/harness/resources.h"

namespace candor::e2e {
namespace {

class ReplayingAgent final : public v1::AgentService::Service {
 public:
  explicit ReplayingAgent(std::shared_ptr<grpc::Channel> agent)
      : agent_(v1::AgentService::NewStub(agent)) {}

  grpc::Status GetIdentity(grpc::ServerContext*,
                           const v1::GetIdentityRequest* req,
                           v1::GetIdentityResponse* resp) override {
    grpc::ClientContext ctx;
    return agent_->GetIdentity(&ctx, *req, resp);
  }

  grpc::Status GetQuote(grpc::ServerContext*, const v1::GetQuoteRequest* req,
                        v1::GetQuoteResponse* resp) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (recorded_.has_value()) {
      *resp = *recorded_;  // the replay
      return grpc::Status::OK;
    }
    grpc::ClientContext ctx;
    grpc::Status s = agent_->GetQuote(&ctx, *req, resp);
    if (s.ok()) recorded_ = *resp;
    return s;
  }

  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  std::unique_ptr<v1::AgentService::Stub> agent_;
  absl::Mutex mu_;
  std::optional<v1::GetQuoteResponse> recorded_;
  int calls_ = 0;
};

TEST(ReplayTest, ReplayedQuoteFailsWithNonceMismatch) {
  FleetOptions o;
  o.nodes = 1;
  std::unique_ptr<Fleet> fleet;
  CANDOR_START_FLEET(fleet, o);
  const Node& node = fleet->node(0);
  const std::string v = fleet->verifier_address();
  const std::string policy = fleet->dir() + "/runtime.json";
  auto r = fleet->Tenant(
      {"--out", policy, "policy", "create", "--ima-log", node.ima_log});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = fleet->Tenant({"policy", "add", "web", "--kind", "runtime", "--file",
                     policy, "--verifier", v});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EventStream events(*fleet);
  r = fleet->Tenant(
      {"agent", "add", node.id, "--verifier", v, "--runtime-policy", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(
      events.WaitFor(ReachesState(node.id, v1::OPERATIONAL_STATE_ATTESTING),
                     absl::Seconds(30))
          .ok())
      << fleet->LogTails();

  // The attacker: the agent's TLS identity, the verifier's view of the CA.
  const std::string pki = fleet->pki_dir();
  auto agent_cert = ReadFile(node.dir + "/state/tls.crt");
  auto agent_key = ReadFile(node.dir + "/state/tls.key");
  auto ca = ReadFile(pki::CertPath(pki, "ca"));
  ASSERT_TRUE(agent_cert.ok() && agent_key.ok() && ca.ok());
  auto client = rpc::LoadTlsClientConfig(pki::CertPath(pki, "ca"),
                                         pki::CertPath(pki, "verifier"),
                                         pki::KeyPath(pki, "verifier"));
  ASSERT_TRUE(client.ok()) << client.status();
  client->root_pem = *agent_cert;
  client->target_name = node.id;
  ReplayingAgent proxy(rpc::Dial(node.address(), &*client));
  rpc::TlsServerConfig server_tls;
  server_tls.cert_pem = *agent_cert;
  server_tls.key_pem = crypto::SecretBytes(*agent_key);
  server_tls.client_ca_pem = *ca;
  auto port = testing::PickFreePort();
  ASSERT_TRUE(port.ok());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", *port),
                           rpc::MakeServerCredentials(server_tls));
  builder.RegisterService(&proxy);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  r = fleet->Tenant({"agent", "update", node.id, "--verifier", v, "--address",
                     absl::StrCat("127.0.0.1:", *port)});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto failed = events.WaitFor(Is(node.id, v1::EVENT_KIND_ATTESTATION_FAILED),
                               absl::Seconds(30));
  ASSERT_TRUE(failed.ok()) << failed.status() << fleet->LogTails();
  EXPECT_TRUE(HasFailureId(*failed, "quote.nonce_mismatch"))
      << failed->DebugString();
  EXPECT_GE(proxy.calls(), 2);
  server->Shutdown();
}

}  // namespace
}  // namespace candor::e2e
