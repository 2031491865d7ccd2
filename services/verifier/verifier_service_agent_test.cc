// VerifierService AddAgent, GetAgent, ListAgents, DeleteAgent over gRPC:
// happy paths, the events they write, and each documented error.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/attest/attest_state.h"
#include "services/verifier/admin/admin_events.h"
#include "services/verifier/verifier_service_test_fixture.h"

namespace candor::verifier::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Stub = v1::VerifierService::Stub;

TEST_F(VerifierServiceTest, AddAgentStoresPendingAgentWithEvent) {
  v1::RegisteredAgent reg = Register("node1");
  v1::AddAgentRequest req = AddRequest("node1");
  req.set_v_share(TestVShare());
  (*req.mutable_agent()->mutable_metadata())["rack"] = "b12";
  req.mutable_agent()->mutable_quote_interval()->set_seconds(30);
  v1::Agent out;
  grpc::Status s = AddAgent(req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.agent_id(), "node1");
  EXPECT_EQ(out.state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(out.address(), "node1.example:9002");
  EXPECT_EQ(out.metadata().at("rack"), "b12");
  EXPECT_EQ(out.quote_interval().seconds(), 30);
  EXPECT_EQ(out.added_at().seconds(), absl::ToUnixSeconds(now()));

  AgentRecord rec = Record("node1");
  EXPECT_EQ(rec.identity.SerializeAsString(),
            reg.identity().SerializeAsString());
  EXPECT_EQ(rec.agent.state(), v1::OPERATIONAL_STATE_PENDING);
  ASSERT_FALSE(rec.sealed_v_share.empty());
  EXPECT_THAT(rec.sealed_v_share, Not(HasSubstr(TestVShare())));
  auto v = sealer_->Open(rec.sealed_v_share);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(crypto::ConstantTimeEquals(v->view(), TestVShare()));
  auto state = attest::ParseState(rec.attest_state);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->ima.bank, TPM2_ALG_SHA256);
  EXPECT_EQ(state->ima.next_entry, 0u);

  std::vector<v1::AttestationEvent> events = Events();
  ASSERT_EQ(events.size(), 1u);
  const v1::AttestationEvent& e = events[0];
  EXPECT_EQ(e.agent_id(), "node1");
  EXPECT_EQ(e.kind(), v1::EVENT_KIND_AGENT_ADDED);
  EXPECT_EQ(e.state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(e.previous_state(), v1::OPERATIONAL_STATE_UNSPECIFIED);
  EXPECT_EQ(e.replica_id(), kReplicaId);
  EXPECT_EQ(e.time().seconds(), absl::ToUnixSeconds(now()));
  EXPECT_EQ(e.attestation_count(), 0u);
  EXPECT_FALSE(e.cursor().empty());
}

TEST_F(VerifierServiceTest, AddAgentAddressOverrideAndImaBank) {
  Register("node1");
  v1::AddAgentRequest req = AddRequest("node1");
  req.mutable_agent()->set_address("proxy.example:443");
  auto* sel = req.mutable_agent()->add_pcr_selections();
  sel->set_bank(v1::HASH_ALGORITHM_SHA384);
  sel->add_pcrs(10);
  v1::Agent out;
  ASSERT_TRUE(AddAgent(req, &out).ok());
  EXPECT_EQ(out.address(), "proxy.example:443");
  AgentRecord rec = Record("node1");
  EXPECT_TRUE(rec.sealed_v_share.empty());
  auto state = attest::ParseState(rec.attest_state);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->ima.bank, TPM2_ALG_SHA384);
}

TEST_F(VerifierServiceTest, AddAgentWithPoliciesReferencesThem) {
  CreatePolicy("rt", v1::POLICY_KIND_RUNTIME);
  CreatePolicy("boot", v1::POLICY_KIND_BOOT);
  Register("node1");
  v1::AddAgentRequest req = AddRequest("node1");
  req.mutable_agent()->mutable_runtime_policy()->set_name("rt");
  req.mutable_agent()->mutable_boot_policy()->set_name("boot");
  req.mutable_agent()->mutable_boot_policy()->set_version(1);
  v1::Agent out;
  ASSERT_TRUE(AddAgent(req, &out).ok());
  EXPECT_EQ(out.runtime_policy().name(), "rt");
  EXPECT_EQ(out.boot_policy().version(), 1u);
}

// One AddAgent refused: code, message, nothing stored, no event.
void ExpectRefused(VerifierServiceTest* t, const v1::AddAgentRequest& req,
                   grpc::StatusCode code, const std::string& text) {
  v1::Agent out;
  grpc::Status s = t->AddAgent(req, &out);
  EXPECT_EQ(s.error_code(), code) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr(text));
  EXPECT_FALSE(t->agents_.Get(req.agent().agent_id()).ok());
  EXPECT_TRUE(t->Events().empty());
}

TEST_F(VerifierServiceTest, AddAgentInvalidArguments) {
  Register("node1");
  const auto kInvalid = grpc::StatusCode::INVALID_ARGUMENT;
  ExpectRefused(this, AddRequest("Not_An_Id"), kInvalid, "agent.agent_id: ");
  ExpectRefused(this, AddRequest(""), kInvalid, "agent.agent_id: ");

  v1::AddAgentRequest v = AddRequest("node1");
  v.set_v_share("sixteen-byte-sec");
  ExpectRefused(this, v, kInvalid, "v_share: is 16 bytes");
  {
    v1::Agent out;
    grpc::Status s = AddAgent(v, &out);
    EXPECT_THAT(s.error_message(), Not(HasSubstr("sixteen-byte-sec")));
  }

  v1::AddAgentRequest slow = AddRequest("node1");
  slow.mutable_agent()->mutable_quote_interval()->set_seconds(1);
  ExpectRefused(this, slow, kInvalid,
                "agent.quote_interval: is 1s, below the verifier's minimum");
  v1::AddAgentRequest negative = AddRequest("node1");
  negative.mutable_agent()->mutable_quote_interval()->set_seconds(-5);
  ExpectRefused(this, negative, kInvalid, "agent.quote_interval: is negative");

  v1::AddAgentRequest sel = AddRequest("node1");
  auto* s0 = sel.mutable_agent()->add_pcr_selections();
  s0->set_bank(v1::HASH_ALGORITHM_SHA256);
  s0->add_pcrs(7);
  s0->add_pcrs(3);
  ExpectRefused(this, sel, kInvalid, "agent.pcr_selections[0].pcrs[1]");
  v1::AddAgentRequest nobank = AddRequest("node1");
  nobank.mutable_agent()->add_pcr_selections()->add_pcrs(1);
  ExpectRefused(this, nobank, kInvalid, "agent.pcr_selections[0].bank");

  v1::AddAgentRequest pcr10 = AddRequest("node1");
  auto* bank = pcr10.mutable_agent()->mutable_static_pcr_policy()->add_banks();
  bank->set_bank(v1::HASH_ALGORITHM_SHA256);
  (*bank->mutable_pcrs())[10].add_digests(std::string(32, '\0'));
  ExpectRefused(this, pcr10, kInvalid,
                "agent.static_pcr_policy.banks[0].pcrs[10]");
  v1::AddAgentRequest pcr16 = AddRequest("node1");
  bank = pcr16.mutable_agent()->mutable_static_pcr_policy()->add_banks();
  bank->set_bank(v1::HASH_ALGORITHM_SHA256);
  (*bank->mutable_pcrs())[16].add_digests(std::string(32, '\0'));
  ExpectRefused(this, pcr16, kInvalid, "pcrs[16]: PCR 16");
  v1::AddAgentRequest size = AddRequest("node1");
  bank = size.mutable_agent()->mutable_static_pcr_policy()->add_banks();
  bank->set_bank(v1::HASH_ALGORITHM_SHA1);
  (*bank->mutable_pcrs())[15].add_digests(std::string(32, '\0'));
  ExpectRefused(this, size, kInvalid, "is 32 bytes, expected 20");

  v1::AddAgentRequest out_only = AddRequest("node1");
  out_only.mutable_agent()->set_attestation_count(3);
  ExpectRefused(this, out_only, kInvalid,
                "agent.attestation_count: output only");

  v1::AddAgentRequest addr = AddRequest("node1");
  addr.mutable_agent()->set_address("no-port");
  ExpectRefused(this, addr, kInvalid, "agent.address: ");

  v1::AddAgentRequest meta = AddRequest("node1");
  (*meta.mutable_agent()->mutable_metadata())[std::string(64, 'k')] = "v";
  ExpectRefused(this, meta, kInvalid, "agent.metadata[");
  EXPECT_EQ(registrar_.calls(), 0);
}

TEST_F(VerifierServiceTest, AddAgentPolicyReferenceErrors) {
  CreatePolicy("rt", v1::POLICY_KIND_RUNTIME);
  Register("node1");
  v1::AddAgentRequest kind = AddRequest("node1");
  kind.mutable_agent()->mutable_boot_policy()->set_name("rt");
  ExpectRefused(this, kind, grpc::StatusCode::INVALID_ARGUMENT,
                "agent.boot_policy: policy \"rt\" is a POLICY_KIND_RUNTIME");
  v1::AddAgentRequest name = AddRequest("node1");
  name.mutable_agent()->mutable_runtime_policy()->set_name("absent");
  ExpectRefused(this, name, grpc::StatusCode::NOT_FOUND,
                "agent.runtime_policy: ");
  v1::AddAgentRequest version = AddRequest("node1");
  version.mutable_agent()->mutable_runtime_policy()->set_name("rt");
  version.mutable_agent()->mutable_runtime_policy()->set_version(2);
  ExpectRefused(this, version, grpc::StatusCode::NOT_FOUND,
                "agent.runtime_policy: ");
}

TEST_F(VerifierServiceTest, AddAgentRegistrationPreconditions) {
  ExpectRefused(this, AddRequest("ghost"),
                grpc::StatusCode::FAILED_PRECONDITION,
                "agent ghost is not registered at the registrar");
  Register("pending", v1::REGISTRATION_STATE_PENDING_ACTIVATION);
  ExpectRefused(this, AddRequest("pending"),
                grpc::StatusCode::FAILED_PRECONDITION,
                "REGISTRATION_STATE_PENDING_ACTIVATION");
  Register("node1");
  registrar_.SetError(
      absl::UnavailableError("registrar at reg:8890 unreachable: refused"));
  ExpectRefused(this, AddRequest("node1"), grpc::StatusCode::UNAVAILABLE,
                "registrar at reg:8890 unreachable");
}

TEST_F(VerifierServiceTest, AddAgentTwiceIsAlreadyExists) {
  AddAgent("node1");
  v1::Agent out;
  grpc::Status s = AddAgent(AddRequest("node1"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("already added"));
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(VerifierServiceTest, GetAgent) {
  AddAgent("node1");
  v1::GetAgentRequest req;
  req.set_agent_id("node1");
  v1::Agent out;
  ASSERT_TRUE(Call(&Stub::GetAgent, req, &out).ok());
  EXPECT_EQ(out.state(), v1::OPERATIONAL_STATE_PENDING);
  req.set_agent_id("node2");
  EXPECT_EQ(Call(&Stub::GetAgent, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_agent_id("bad id");
  grpc::Status s = Call(&Stub::GetAgent, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("agent_id: "));
}

std::vector<std::string> Ids(const v1::ListAgentsResponse& r) {
  std::vector<std::string> out;
  for (const auto& a : r.agents()) out.push_back(a.agent_id());
  return out;
}

TEST_F(VerifierServiceTest, ListAgentsPagesAndFilters) {
  AddAgent("c");
  AddAgent("a");
  AddAgent("b");
  ForceState("b", v1::OPERATIONAL_STATE_FAILED);
  v1::ListAgentsRequest req;
  req.set_page_size(2);
  v1::ListAgentsResponse page;
  ASSERT_TRUE(Call(&Stub::ListAgents, req, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("a", "b"));
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(Call(&Stub::ListAgents, req, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("c"));
  EXPECT_TRUE(page.next_page_token().empty());

  // The first page's token is bound to "no filter".
  v1::ListAgentsRequest filtered;
  filtered.add_states(v1::OPERATIONAL_STATE_FAILED);
  ASSERT_TRUE(Call(&Stub::ListAgents, filtered, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("b"));
  filtered.set_page_token(req.page_token());
  EXPECT_EQ(Call(&Stub::ListAgents, filtered, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListAgentsRequest bad_token;
  bad_token.set_page_token("garbage");
  EXPECT_EQ(Call(&Stub::ListAgents, bad_token, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListAgentsRequest unspecified;
  unspecified.add_states(v1::OPERATIONAL_STATE_UNSPECIFIED);
  grpc::Status s = Call(&Stub::ListAgents, unspecified, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("states[0]"));
}

TEST_F(VerifierServiceTest, DeleteAgentWritesAgentDeleted) {
  AddAgent("node1");
  ForceState("node1", v1::OPERATIONAL_STATE_ATTESTING);
  v1::DeleteAgentRequest req;
  req.set_agent_id("node1");
  v1::DeleteAgentResponse out;
  ASSERT_TRUE(Call(&Stub::DeleteAgent, req, &out).ok());
  EXPECT_FALSE(agents_.Get("node1").ok());
  std::vector<v1::AttestationEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind(), v1::EVENT_KIND_AGENT_DELETED);
  EXPECT_EQ(events[1].state(), v1::OPERATIONAL_STATE_UNSPECIFIED);
  EXPECT_EQ(events[1].previous_state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(events[1].replica_id(), kReplicaId);
  EXPECT_EQ(events[1].agent_id(), "node1");

  EXPECT_EQ(Call(&Stub::DeleteAgent, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_agent_id("-bad");
  EXPECT_EQ(Call(&Stub::DeleteAgent, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Events().size(), 2u);
  // The id is free again.
  v1::Agent again;
  EXPECT_TRUE(AddAgent(AddRequest("node1"), &again).ok());
}

}  // namespace
}  // namespace candor::verifier::testing
