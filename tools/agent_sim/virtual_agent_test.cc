// The simulator's evidence checked by the verifier's own libraries: quotes
// verify with lib/quote, IMA lines replay with lib/ima to the quoted PCR 10,
// lib/attest's whole cycle passes (PCR 16 binding included), and each
// tamper command produces the failure the verifier must find.
#include "tools/agent_sim/virtual_agent.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/attest/attest_state.h"
#include "lib/attest/cycle.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/policy/runtime/appraise.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "lib/quote/ak_verifier.h"
#include "lib/quote/verify.h"
#include "lib/tpm/public_key.h"

namespace candor::agent_sim {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kNonce(24, '\x5a');

std::vector<std::string> Ids(const std::vector<v1::Failure>& fs) {
  std::vector<std::string> ids;
  for (const v1::Failure& f : fs) ids.push_back(f.id());
  return ids;
}

class VirtualAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SharedLog::Options o;
    o.pool = 40;
    auto log = SharedLog::Create(o);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    auto ca = SimCa::Generate();
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::make_unique<SimCa>(std::move(*ca));
    auto wrong = SimAk::Generate();
    ASSERT_TRUE(wrong.ok());
    wrong_ak_ = std::make_unique<SimAk>(std::move(*wrong));
    auto transport = crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048);
    ASSERT_TRUE(transport.ok());
    fleet_.log = log_.get();
    fleet_.transport_der = *crypto::PublicKeyToDer(transport->get());
    fleet_.pcr16 = TransportBinding(fleet_.transport_der);
    fleet_.wrong_pcr16 = TransportBinding("another key");
    fleet_.wrong_ak = wrong_ak_.get();
    fleet_.start = absl::Now();
    fleet_.ima_initial = 60;  // more than the pool: lines repeat
    auto agent = VirtualAgent::Create(7, "t", *ca_, &fleet_);
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_ = std::move(*agent);
    for (uint32_t p = 0; p <= 10; ++p) sel_[0].pcrs.push_back(p);
    sel_[0].pcrs.push_back(16);
    auto policy =
        policy::RuntimePolicy::LoadJson(log_->PolicyJson(absl::Now()));
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = std::make_unique<policy::RuntimePolicy>(std::move(*policy));
    auto ak = quote::AkVerifier::Create(agent_->identity().ak_public());
    ASSERT_TRUE(ak.ok()) << ak.status();
    ak_ = std::move(*ak);
    auto state = attest::AgentAttestationState::Initial();
    ASSERT_TRUE(state.ok());
    state_ = *state;
  }

  v1::EvidenceRequest Request(uint64_t start = 0, uint32_t max = 0) {
    v1::EvidenceRequest r;
    r.set_nonce(kNonce);
    *r.mutable_pcr_selections() = *convert::SelectionToProto(sel_);
    r.set_ima_start_entry(start);
    r.set_max_entries(max);
    r.set_want_boot_log(attest::WantBootLog(state_));
    return r;
  }

  // One verifier cycle over GetEvidence; keeps the state when it passed.
  attest::CycleResult Cycle() {
    v1::EvidenceRequest req = Request(attest::ImaStartEntry(state_));
    absl::StatusOr<v1::Evidence> ev = agent_->GetEvidence(req, absl::Now());
    EXPECT_TRUE(ev.ok()) << ev.status();
    attest::CycleInput in;
    in.state = &state_;
    in.ak = ak_.get();
    in.nonce = kNonce;
    in.requested = &sel_;
    in.evidence = &*ev;
    in.runtime = policy_.get();
    in.expected_pcr16 = {{TPM2_ALG_SHA256, fleet_.pcr16}};
    absl::StatusOr<attest::CycleResult> r = attest::EvaluateCycle(in);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok() && r->failures.empty()) state_ = r->new_state;
    return r.ok() ? *std::move(r) : attest::CycleResult();
  }

  std::unique_ptr<SharedLog> log_;
  std::unique_ptr<SimCa> ca_;
  std::unique_ptr<SimAk> wrong_ak_;
  FleetContext fleet_;
  std::unique_ptr<VirtualAgent> agent_;
  tpm::PcrSelection sel_ = {{TPM2_ALG_SHA256, {}}};
  std::unique_ptr<policy::RuntimePolicy> policy_;
  std::unique_ptr<quote::AkVerifier> ak_;
  attest::AgentAttestationState state_;
};

TEST_F(VirtualAgentTest, IdentityIsASimulatedTpmIdentity) {
  const v1::AgentIdentity& id = agent_->identity();
  EXPECT_EQ(id.agent_id(), "sim-t-00007");
  EXPECT_TRUE(id.simulated());
  auto ak = tpm::ParseTpm2bPublic(id.ak_public());
  ASSERT_TRUE(ak.ok()) << ak.status();
  EXPECT_EQ(*tpm::ComputeName(ak->publicArea), id.ak_name());
  auto ek = tpm::ParseTpm2bPublic(id.ek_public());
  ASSERT_TRUE(ek.ok()) << ek.status();
  EXPECT_EQ(ek->publicArea.type, TPM2_ALG_ECC);
  EXPECT_FALSE(id.ek_certificate().empty());
  EXPECT_EQ(id.transport_public_key(), fleet_.transport_der);
  auto resp = agent_->GetIdentity();
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->identity().SerializeAsString(), id.SerializeAsString());
  EXPECT_EQ(resp->boot_id().size(), 36u);
}

TEST_F(VirtualAgentTest, QuoteVerifiesAndImaReplaysToPcr10) {
  auto ev = agent_->GetEvidence(Request(), absl::Now());
  ASSERT_TRUE(ev.ok()) << ev.status();
  auto values = convert::ValuesFromProto(ev->quote().pcr_values());
  ASSERT_TRUE(values.ok()) << values.status();
  quote::QuoteInput qi;
  qi.attest = ev->quote().attest();
  qi.signature = ev->quote().signature();
  qi.pcr_values = &*values;
  qi.requested = &sel_;
  qi.nonce = kNonce;
  auto q = quote::VerifyQuote(*ak_, qi);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_TRUE(q->ok()) << Ids(q->failures)[0];
  EXPECT_THAT(Ids(q->warnings), IsEmpty());

  ASSERT_EQ(ev->ima_entries().lines_size(), 61);
  EXPECT_EQ(ev->ima_entries().total_entries(), 61u);
  EXPECT_FALSE(ev->ima_entries().more());
  std::vector<absl::string_view> lines(ev->ima_entries().lines().begin(),
                                       ev->ima_entries().lines().end());
  policy::AppraiseOptions o;
  o.policy = policy_.get();
  o.boot_pcrs = &*values;
  o.replay.quoted_pcr10 = values->at(TPM2_ALG_SHA256).at(10);
  policy::EvalState keys;
  auto a = policy::AppraiseImaLog(*ima::ReplayState::AtBoot(TPM2_ALG_SHA256),
                                  lines, o, &keys);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->replay.pcr_matched);
  EXPECT_EQ(a->replay.consumed, 61u);
  EXPECT_THAT(Ids(a->findings), IsEmpty());
  EXPECT_EQ(values->at(TPM2_ALG_SHA256).at(16), fleet_.pcr16);
}

TEST_F(VirtualAgentTest, WholeCyclesPassThenTamperedImaFails) {
  attest::CycleResult first = Cycle();  // boot log, IMA from entry 0
  EXPECT_THAT(Ids(first.failures), IsEmpty());
  EXPECT_THAT(Ids(first.warnings), IsEmpty());
  EXPECT_EQ(state_.ima.next_entry, 61u);
  EXPECT_THAT(Ids(Cycle().failures), IsEmpty());  // nothing new

  auto t = agent_->TamperIma(absl::Now());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->entry, 61u);
  EXPECT_THAT(t->path, HasSubstr("/tmp/evil-"));
  attest::CycleResult bad = Cycle();
  EXPECT_THAT(Ids(bad.failures), Contains("ima.not_in_policy"));
  EXPECT_THAT(Ids(bad.failures), Not(Contains("ima.pcr_mismatch")));
}

TEST_F(VirtualAgentTest, TamperedEntriesKeepTheLogConsistentAsItGrows) {
  fleet_.ima_growth_per_minute = 600;  // 10 per second of test time
  ASSERT_TRUE(agent_->TamperIma(absl::Now()).ok());
  ASSERT_TRUE(agent_->TamperIma(absl::Now()).ok());
  // Later in time the log holds shared entries after the extras; a full
  // replay from 0 must reach PCR 10 with exactly the two extras refused.
  auto ev = agent_->GetEvidence(Request(), absl::Now() + absl::Minutes(1));
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_GE(ev->ima_entries().total_entries(), 61u + 2u + 600u);
  auto values = convert::ValuesFromProto(ev->quote().pcr_values());
  std::vector<absl::string_view> lines(ev->ima_entries().lines().begin(),
                                       ev->ima_entries().lines().end());
  policy::AppraiseOptions o;
  o.policy = policy_.get();
  o.replay.quoted_pcr10 = values->at(TPM2_ALG_SHA256).at(10);
  policy::EvalState keys;
  auto a = policy::AppraiseImaLog(*ima::ReplayState::AtBoot(TPM2_ALG_SHA256),
                                  lines, o, &keys);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->replay.pcr_matched);
  EXPECT_EQ(a->replay.consumed, lines.size());
  EXPECT_EQ(Ids(a->findings), std::vector<std::string>(
                                  {"ima.not_in_policy", "ima.not_in_policy"}));
}

TEST_F(VirtualAgentTest, TamperedQuoteAndPcr16Fail) {
  EXPECT_THAT(Ids(Cycle().failures), IsEmpty());
  agent_->TamperPcr16();
  EXPECT_THAT(Ids(Cycle().failures), Contains("pcr.transport_key_mismatch"));
  agent_->TamperQuote();
  EXPECT_THAT(Ids(Cycle().failures), Contains("quote.bad_signature"));
  EXPECT_TRUE(agent_->tampered());
}

TEST_F(VirtualAgentTest, PagesLikeTheRealAgent) {
  auto page = agent_->GetEvidence(Request(0, 25), absl::Now());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->ima_entries().lines_size(), 25);
  EXPECT_TRUE(page->ima_entries().more());
  page = agent_->GetEvidence(Request(50, 25), absl::Now());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->ima_entries().start_entry(), 50u);
  EXPECT_EQ(page->ima_entries().lines_size(), 11);
  EXPECT_FALSE(page->ima_entries().more());
  page = agent_->GetEvidence(Request(61), absl::Now());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->ima_entries().lines_size(), 0);
  EXPECT_FALSE(page->ima_entries().restarted_from_zero());
  page = agent_->GetEvidence(Request(62, 3), absl::Now());
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->ima_entries().restarted_from_zero());
  EXPECT_EQ(page->ima_entries().start_entry(), 0u);
  EXPECT_EQ(page->ima_entries().lines_size(), 3);
}

TEST_F(VirtualAgentTest, RefusesBadRequestsLikeTheRealAgent) {
  v1::EvidenceRequest r = Request();
  r.set_nonce("short");
  EXPECT_EQ(agent_->GetEvidence(r, absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  r = Request();
  r.mutable_pcr_selections(0)->set_bank(v1::HASH_ALGORITHM_SHA1);
  EXPECT_EQ(agent_->GetEvidence(r, absl::Now()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  r = Request();
  r.mutable_pcr_selections(0)->add_pcrs(24);
  EXPECT_EQ(agent_->GetEvidence(r, absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  r = Request();
  r.mutable_pcr_selections(0)->clear_pcrs();
  EXPECT_EQ(agent_->GetEvidence(r, absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
  agent_->Stop();
  EXPECT_EQ(agent_->GetEvidence(Request(), absl::Now()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(agent_->GetIdentity().status().code(),
            absl::StatusCode::kUnavailable);
  agent_->Start();
  EXPECT_TRUE(agent_->GetEvidence(Request(), absl::Now()).ok());
}

}  // namespace
}  // namespace candor::agent_sim
