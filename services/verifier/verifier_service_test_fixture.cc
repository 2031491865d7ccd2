#include "services/verifier/verifier_service_test_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::verifier::testing {

VerifierServiceTest::VerifierServiceTest()
    : now_(absl::FromUnixSeconds(1800000000)),
      agents_([this] { return now_; }) {
  auto sealer =
      VShareSealer::FromKey(crypto::SecretBytes(std::string(32, 'k')));
  EXPECT_TRUE(sealer.ok());
  sealer_ = std::make_unique<VShareSealer>(std::move(*sealer));
}

void VerifierServiceTest::Start(std::unique_ptr<rpc::Authorizer> authorizer,
                                WatchFn watch) {
  stub_.reset();
  server_.reset();
  authorizer_ = std::move(authorizer);
  VerifierServiceDeps deps;
  deps.agents = &agents_;
  deps.policies = &policies_;
  deps.registrar = &registrar_;
  deps.sealer = sealer_.get();
  deps.authorizer = authorizer_.get();
  deps.clock = [this] { return now_; };
  deps.replica_id = kReplicaId;
  deps.min_quote_interval = absl::Seconds(2);
  deps.watch = std::move(watch);
  service_ = std::make_unique<VerifierServiceImpl>(std::move(deps));
  auto server = rpc::StartServer(
      {"127.0.0.1:0",
       nullptr,
       {rpc::ServiceEntry::Of<v1::VerifierService>(service_.get())}});
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  stub_ = v1::VerifierService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                          grpc::InsecureChannelCredentials()));
}

v1::RegisteredAgent VerifierServiceTest::Register(const std::string& id,
                                                  v1::RegistrationState state) {
  v1::RegisteredAgent reg;
  reg.mutable_identity()->set_agent_id(id);
  reg.mutable_identity()->set_ak_public(absl::StrCat("ak-of-", id));
  reg.mutable_identity()->set_tls_certificate(absl::StrCat("cert-of-", id));
  reg.set_state(state);
  reg.set_address(absl::StrCat(id, ".example:9002"));
  registrar_.Put(reg);
  return reg;
}

v1::AddAgentRequest VerifierServiceTest::AddRequest(const std::string& id) {
  v1::AddAgentRequest req;
  req.mutable_agent()->set_agent_id(id);
  return req;
}

grpc::Status VerifierServiceTest::AddAgent(const v1::AddAgentRequest& request,
                                           v1::Agent* out) {
  return Call(&v1::VerifierService::Stub::AddAgent, request, out);
}

v1::Agent VerifierServiceTest::AddAgent(const std::string& id) {
  Register(id);
  v1::Agent out;
  grpc::Status s = AddAgent(AddRequest(id), &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

v1::PolicyVersion VerifierServiceTest::CreatePolicy(const std::string& name,
                                                    v1::PolicyKind kind) {
  v1::CreatePolicyRequest req;
  req.set_name(name);
  req.set_kind(kind);
  req.set_content(kind == v1::POLICY_KIND_BOOT ? kBootPolicy : kRuntimePolicy);
  v1::PolicyVersion out;
  grpc::Status s = Call(&v1::VerifierService::Stub::CreatePolicy, req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

std::vector<v1::AttestationEvent> VerifierServiceTest::Events() {
  std::vector<v1::AttestationEvent> out;
  auto events = agents_.ReadEvents(0, 10000);
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok()) return out;
  for (const StoredEvent& e : *events) out.push_back(e.event);
  return out;
}

AgentRecord VerifierServiceTest::Record(const std::string& id) {
  auto r = agents_.Get(id);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(*r) : AgentRecord();
}

void VerifierServiceTest::ForceState(const std::string& id,
                                     v1::OperationalState state) {
  auto r = agents_.Mutate(
      id, [&](AgentRecord& rec) -> absl::StatusOr<std::vector<NewEvent>> {
        rec.agent.set_state(state);
        return std::vector<NewEvent>{};
      });
  ASSERT_TRUE(r.ok()) << r.status();
}

std::string TestVShare(char fill) { return std::string(32, fill); }

}  // namespace candor::verifier::testing
