// VerifierService UpdateAgent (FieldMask rules, IMA replay reset on a bank
// change, V share replacement), StopAgent and ReactivateAgent over gRPC.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/attest/attest_state.h"
#include "services/verifier/admin/admin_events.h"
#include "services/verifier/verifier_service_test_fixture.h"

namespace candor::verifier::testing {
namespace {

using ::testing::HasSubstr;
using Stub = v1::VerifierService::Stub;

// Puts a used attestation state into the row: IMA at entry 57 on sha256,
// a clock, a boot id, the boot log checked; plus a delivered V and a
// failure.
void AdvanceAgent(VerifierServiceTest* t, const std::string& id) {
  auto r = t->agents_.Mutate(
      id, [](AgentRecord& rec) -> absl::StatusOr<std::vector<NewEvent>> {
        auto s = attest::ParseState(rec.attest_state);
        if (!s.ok()) return s.status();
        s->ima.next_entry = 57;
        s->ima.pcr10 = std::string(32, '\x11');
        s->boot_id = "boot-1";
        s->boot_log_checked = true;
        s->clock = quote::ClockInfo{};
        s->clock->clock = 5000;
        s->clock->reset_count = 4;
        s->attestation_count = 9;
        rec.attest_state = attest::SerializeState(*s);
        rec.agent.set_next_ima_entry(57);
        rec.agent.set_attestation_count(9);
        rec.agent.set_severity_level(v1::SEVERITY_CRITICAL);
        rec.agent.mutable_last_failure()->set_id("ima.not_in_policy");
        *rec.agent.mutable_v_share_delivered_at() = ToTimestamp(absl::Now());
        return std::vector<NewEvent>{};
      });
  ASSERT_TRUE(r.ok()) << r.status();
}

v1::UpdateAgentRequest Update(const std::string& id,
                              std::vector<std::string> paths) {
  v1::UpdateAgentRequest req;
  req.mutable_agent()->set_agent_id(id);
  for (auto& p : paths) req.mutable_update_mask()->add_paths(p);
  return req;
}

TEST_F(VerifierServiceTest, UpdateAgentChangesOnlyMaskedFields) {
  AddAgent("node1");
  AdvanceAgent(this, "node1");
  v1::UpdateAgentRequest req = Update("node1", {"metadata", "quote_interval"});
  (*req.mutable_agent()->mutable_metadata())["rack"] = "c3";
  req.mutable_agent()->mutable_quote_interval()->set_seconds(60);
  req.mutable_agent()->set_address("ignored.example:1");          // not masked
  req.mutable_agent()->set_state(v1::OPERATIONAL_STATE_STOPPED);  // output
  v1::Agent out;
  grpc::Status s = Call(&Stub::UpdateAgent, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.metadata().at("rack"), "c3");
  EXPECT_EQ(out.quote_interval().seconds(), 60);
  EXPECT_EQ(out.address(), "node1.example:9002");
  EXPECT_EQ(out.state(), v1::OPERATIONAL_STATE_PENDING);
  // IMA replay not reset: the bank did not change.
  EXPECT_EQ(out.next_ima_entry(), 57u);
  auto state = attest::ParseState(Record("node1").attest_state);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->ima.next_entry, 57u);
  EXPECT_TRUE(out.has_v_share_delivered_at());

  std::vector<v1::AttestationEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind(), v1::EVENT_KIND_AGENT_UPDATED);
  EXPECT_EQ(events[1].state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(events[1].previous_state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(events[1].attestation_count(), 9u);
  EXPECT_EQ(events[1].replica_id(), kReplicaId);

  // metadata replaces the whole map; an unset masked field clears it.
  v1::UpdateAgentRequest clear =
      Update("node1", {"metadata", "quote_interval"});
  ASSERT_TRUE(Call(&Stub::UpdateAgent, clear, &out).ok());
  EXPECT_TRUE(out.metadata().empty());
  EXPECT_FALSE(out.has_quote_interval());
}

TEST_F(VerifierServiceTest, UpdateAgentMaskErrors) {
  AddAgent("node1");
  v1::Agent out;
  grpc::Status s = Call(&Stub::UpdateAgent, Update("node1", {}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("update_mask: empty"));
  for (const char* path :
       {"state", "agent_id", "v_share", "agent.address", "metadata.rack", ""}) {
    s = Call(&Stub::UpdateAgent, Update("node1", {"address", path}), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << path;
    EXPECT_THAT(s.error_message(), HasSubstr("update_mask.paths[1]")) << path;
  }
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(VerifierServiceTest, UpdateAgentValueErrors) {
  AddAgent("node1");
  CreatePolicy("boot", v1::POLICY_KIND_BOOT);
  v1::Agent out;
  v1::UpdateAgentRequest addr = Update("node1", {"address"});
  grpc::Status s = Call(&Stub::UpdateAgent, addr, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("agent.address: is empty"));

  v1::UpdateAgentRequest interval = Update("node1", {"quote_interval"});
  interval.mutable_agent()->mutable_quote_interval()->set_nanos(500000000);
  s = Call(&Stub::UpdateAgent, interval, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("agent.quote_interval"));

  v1::UpdateAgentRequest kind = Update("node1", {"runtime_policy"});
  kind.mutable_agent()->mutable_runtime_policy()->set_name("boot");
  s = Call(&Stub::UpdateAgent, kind, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("agent.runtime_policy"));

  v1::UpdateAgentRequest missing = Update("node1", {"boot_policy"});
  missing.mutable_agent()->mutable_boot_policy()->set_name("nope");
  EXPECT_EQ(Call(&Stub::UpdateAgent, missing, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::UpdateAgentRequest v = Update("node1", {"metadata"});
  v.set_v_share("short");
  s = Call(&Stub::UpdateAgent, v, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("v_share: is 5 bytes"));

  v1::UpdateAgentRequest ghost = Update("ghost", {"metadata"});
  EXPECT_EQ(Call(&Stub::UpdateAgent, ghost, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::UpdateAgentRequest bad_id = Update("Bad", {"metadata"});
  EXPECT_EQ(Call(&Stub::UpdateAgent, bad_id, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Events().size(), 1u);
}

TEST_F(VerifierServiceTest, UpdateAgentImaBankChangeResetsReplay) {
  AddAgent("node1");
  AdvanceAgent(this, "node1");
  v1::UpdateAgentRequest req = Update("node1", {"pcr_selections"});
  auto* sel = req.mutable_agent()->add_pcr_selections();
  sel->set_bank(v1::HASH_ALGORITHM_SHA256);  // same IMA bank: no reset
  sel->add_pcrs(15);
  v1::Agent out;
  ASSERT_TRUE(Call(&Stub::UpdateAgent, req, &out).ok());
  EXPECT_EQ(out.next_ima_entry(), 57u);

  req.mutable_agent()->mutable_pcr_selections(0)->set_bank(
      v1::HASH_ALGORITHM_SHA1);
  ASSERT_TRUE(Call(&Stub::UpdateAgent, req, &out).ok());
  EXPECT_EQ(out.next_ima_entry(), 0u);
  auto state = attest::ParseState(Record("node1").attest_state);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->ima.bank, TPM2_ALG_SHA1);
  EXPECT_EQ(state->ima.next_entry, 0u);
  ASSERT_TRUE(state->clock.has_value());
  EXPECT_EQ(state->clock->reset_count, 4u);
  EXPECT_EQ(state->clock->clock, 5000u);
}

TEST_F(VerifierServiceTest, UpdateAgentNewVShareReplacesAndResetsDelivery) {
  AddAgent("node1");
  AdvanceAgent(this, "node1");
  v1::UpdateAgentRequest req = Update("node1", {"metadata"});
  req.set_v_share(TestVShare('w'));
  v1::Agent out;
  ASSERT_TRUE(Call(&Stub::UpdateAgent, req, &out).ok());
  EXPECT_FALSE(out.has_v_share_delivered_at());
  auto v = sealer_->Open(Record("node1").sealed_v_share);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(crypto::ConstantTimeEquals(v->view(), TestVShare('w')));
}

TEST_F(VerifierServiceTest, StopAgentIsIdempotent) {
  AddAgent("node1");
  ForceState("node1", v1::OPERATIONAL_STATE_ATTESTING);
  v1::StopAgentRequest req;
  req.set_agent_id("node1");
  v1::Agent out;
  ASSERT_TRUE(Call(&Stub::StopAgent, req, &out).ok());
  EXPECT_EQ(out.state(), v1::OPERATIONAL_STATE_STOPPED);
  std::vector<v1::AttestationEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind(), v1::EVENT_KIND_STATE_CHANGED);
  EXPECT_EQ(events[1].previous_state(), v1::OPERATIONAL_STATE_ATTESTING);
  EXPECT_EQ(events[1].state(), v1::OPERATIONAL_STATE_STOPPED);

  const int64_t generation = Record("node1").generation;
  v1::Agent again;
  ASSERT_TRUE(Call(&Stub::StopAgent, req, &again).ok());
  EXPECT_EQ(again.state(), v1::OPERATIONAL_STATE_STOPPED);
  EXPECT_EQ(Events().size(), 2u);
  EXPECT_EQ(Record("node1").generation, generation);

  req.set_agent_id("ghost");
  EXPECT_EQ(Call(&Stub::StopAgent, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_agent_id("x_y");
  EXPECT_EQ(Call(&Stub::StopAgent, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(VerifierServiceTest, ReactivateFailedAgentRestartsReplay) {
  AddAgent("node1");
  AdvanceAgent(this, "node1");
  ForceState("node1", v1::OPERATIONAL_STATE_FAILED);
  v1::ReactivateAgentRequest req;
  req.set_agent_id("node1");
  v1::Agent out;
  grpc::Status s = Call(&Stub::ReactivateAgent, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(out.severity_level(), v1::SEVERITY_UNSPECIFIED);
  EXPECT_FALSE(out.has_last_failure());
  EXPECT_EQ(out.next_ima_entry(), 0u);
  EXPECT_EQ(out.attestation_count(), 9u);
  auto state = attest::ParseState(Record("node1").attest_state);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->ima.next_entry, 0u);
  EXPECT_EQ(state->ima.pcr10, std::string(32, '\0'));
  EXPECT_FALSE(state->boot_log_checked);
  ASSERT_TRUE(state->clock.has_value());
  EXPECT_EQ(state->clock->reset_count, 4u);
  EXPECT_EQ(state->boot_id, "boot-1");

  std::vector<v1::AttestationEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind(), v1::EVENT_KIND_STATE_CHANGED);
  EXPECT_EQ(events[1].previous_state(), v1::OPERATIONAL_STATE_FAILED);
  EXPECT_EQ(events[1].state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(events[1].attestation_count(), 9u);
}

TEST_F(VerifierServiceTest, ReactivateStoppedAgent) {
  AddAgent("node1");
  v1::StopAgentRequest stop;
  stop.set_agent_id("node1");
  v1::Agent out;
  ASSERT_TRUE(Call(&Stub::StopAgent, stop, &out).ok());
  v1::ReactivateAgentRequest req;
  req.set_agent_id("node1");
  ASSERT_TRUE(Call(&Stub::ReactivateAgent, req, &out).ok());
  EXPECT_EQ(out.state(), v1::OPERATIONAL_STATE_PENDING);
  EXPECT_EQ(Events().back().previous_state(), v1::OPERATIONAL_STATE_STOPPED);
}

TEST_F(VerifierServiceTest, ReactivateRefusesOtherStates) {
  AddAgent("node1");
  v1::ReactivateAgentRequest req;
  req.set_agent_id("node1");
  v1::Agent out;
  for (v1::OperationalState st :
       {v1::OPERATIONAL_STATE_PENDING, v1::OPERATIONAL_STATE_ATTESTING,
        v1::OPERATIONAL_STATE_UNREACHABLE}) {
    ForceState("node1", st);
    grpc::Status s = Call(&Stub::ReactivateAgent, req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(s.error_message(), HasSubstr(v1::OperationalState_Name(st)));
  }
  EXPECT_EQ(Events().size(), 1u);
  req.set_agent_id("ghost");
  EXPECT_EQ(Call(&Stub::ReactivateAgent, req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_agent_id("");
  EXPECT_EQ(Call(&Stub::ReactivateAgent, req, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace candor::verifier::testing
