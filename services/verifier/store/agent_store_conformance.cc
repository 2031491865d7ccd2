// The AgentStore contract, part 1: agents (admin writes, reads, policy
// references). Part 2 (leases, cycles, events) is in
// agent_store_conformance_loop.cc.
#include "services/verifier/store/agent_store_conformance.h"
#include "tests/harness/resources.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"

namespace candor::verifier::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr v1::OperationalState kPending = v1::OPERATIONAL_STATE_PENDING;
constexpr v1::OperationalState kAttesting = v1::OPERATIONAL_STATE_ATTESTING;
constexpr v1::OperationalState kFailed = v1::OPERATIONAL_STATE_FAILED;
constexpr v1::OperationalState kStopped = v1::OPERATIONAL_STATE_STOPPED;
constexpr absl::Duration kLease = absl::Seconds(30);

std::vector<std::string> Ids(const std::vector<AgentRecord>& records) {
  std::vector<std::string> out;
  for (const AgentRecord& r : records) out.push_back(r.agent.agent_id());
  return out;
}

}  // namespace

AgentRecord SampleAgent(const std::string& id, v1::OperationalState state) {
  AgentRecord r;
  r.agent.set_agent_id(id);
  r.agent.set_address("10.0.0.7:9002");
  r.agent.set_state(state);
  r.agent.mutable_quote_interval()->set_seconds(2);
  r.agent.mutable_runtime_policy()->set_name("ima-prod");
  r.agent.mutable_boot_policy()->set_name("boot-prod");
  r.agent.mutable_boot_policy()->set_version(2);
  (*r.agent.mutable_metadata())["rack"] = "b12";
  r.agent.mutable_added_at()->set_seconds(1700000000);
  r.identity.set_agent_id(id);
  r.identity.set_ak_public(std::string("\x00\x01\xff", 3));
  r.identity.set_tls_certificate("cert");
  r.attest_state = std::string("st\0ate\xff", 7);
  r.sealed_v_share = std::string("sealed\0v", 8);
  return r;
}

NewEvent SampleEvent(const std::string& agent_id, v1::EventKind kind,
                     const std::string& evidence) {
  NewEvent e;
  e.event.set_agent_id(agent_id);
  e.event.set_kind(kind);
  e.event.set_state(kAttesting);
  e.event.set_replica_id("r1");
  e.event.mutable_time()->set_seconds(1800000000);
  v1::Failure* f = e.event.add_failures();
  f->set_id("ima.not_in_policy");
  f->set_severity(v1::SEVERITY_CRITICAL);
  (*f->mutable_context())["path"] = "/usr/bin/x";
  e.evidence = evidence;
  return e;
}

void AgentStoreConformance::SetUp() {
  absl::StatusOr<AgentStoreUnderTest> sut = GetParam()();
  // Fails under CI=true, skips otherwise (tests/harness/resources.h).
  CANDOR_REQUIRE_RESOURCE(sut);
  sut_ = std::move(*sut);
  store_ = sut_.store.get();
}

void AgentStoreConformance::Advance(absl::Duration d) {
  absl::Status s = sut_.advance(d);
  ASSERT_TRUE(s.ok()) << s;
}

TEST_P(AgentStoreConformance, AddThenGetRoundTripsEveryField) {
  const AgentRecord in = SampleAgent("node-1");
  auto events =
      store_->Add(in, {SampleEvent("node-1", v1::EVENT_KIND_AGENT_ADDED)});
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_GT((*events)[0].position, 0);
  EXPECT_EQ((*events)[0].event.cursor(), EncodeCursor((*events)[0].position));
  EXPECT_EQ((*events)[0].event.kind(), v1::EVENT_KIND_AGENT_ADDED);
  EXPECT_FALSE((*events)[0].has_evidence);

  auto got = store_->Get("node-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->generation, 1);
  EXPECT_EQ(got->agent.SerializeAsString(), in.agent.SerializeAsString());
  EXPECT_EQ(got->identity.SerializeAsString(), in.identity.SerializeAsString());
  EXPECT_EQ(got->attest_state, in.attest_state);
  EXPECT_EQ(got->sealed_v_share, in.sealed_v_share);
  EXPECT_EQ(got->lease_expires_at, absl::InfinitePast());
  EXPECT_TRUE(got->agent.owner_replica_id().empty());

  auto read = store_->ReadEvents(0, 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].event.SerializeAsString(),
            (*events)[0].event.SerializeAsString());
}

TEST_P(AgentStoreConformance, AddSetsAddedAtWhenUnset) {
  AgentRecord in = SampleAgent("node-1");
  in.agent.clear_added_at();
  ASSERT_TRUE(store_->Add(in, {}).ok());
  auto got = store_->Get("node-1");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_GT(got->agent.added_at().seconds(), 1700000000);
}

TEST_P(AgentStoreConformance, AddRefusesDuplicateAndEmptyId) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  EXPECT_EQ(store_->Add(SampleAgent("a"), {}).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Add(SampleAgent(""), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->LatestPosition(), 0);  // nothing appended by failures
}

TEST_P(AgentStoreConformance, MutateBumpsGenerationAndAppendsEvents) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  auto out = store_->Mutate(
      "a", [](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
        r.agent.set_address("10.0.0.8:9002");
        r.agent.set_state(kStopped);
        r.agent.set_agent_id("renamed");          // ignored
        r.identity.set_tls_certificate("other");  // ignored
        r.generation = 99;                        // ignored
        r.sealed_v_share.clear();
        return std::vector<NewEvent>{
            SampleEvent("a", v1::EVENT_KIND_AGENT_UPDATED),
            SampleEvent("a", v1::EVENT_KIND_STATE_CHANGED)};
      });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->generation, 2);
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->generation, 2);
  EXPECT_EQ(got->agent.agent_id(), "a");
  EXPECT_EQ(got->agent.address(), "10.0.0.8:9002");
  EXPECT_EQ(got->agent.state(), kStopped);
  EXPECT_EQ(got->identity.tls_certificate(), "cert");
  EXPECT_TRUE(got->sealed_v_share.empty());
  EXPECT_EQ(got->agent.SerializeAsString(), out->agent.SerializeAsString());
  auto read = store_->ReadEvents(0, 0);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0].event.kind(), v1::EVENT_KIND_AGENT_UPDATED);
  EXPECT_EQ((*read)[1].event.kind(), v1::EVENT_KIND_STATE_CHANGED);
}

TEST_P(AgentStoreConformance, MutateErrorChangesNothing) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  auto out = store_->Mutate(
      "a", [](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
        r.agent.set_address("changed:1");
        return absl::FailedPreconditionError("refused by test");
      });
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  auto got = store_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->generation, 1);
  EXPECT_EQ(got->agent.address(), "10.0.0.7:9002");
  EXPECT_EQ(*store_->LatestPosition(), 0);
  EXPECT_EQ(
      store_
          ->Mutate("missing",
                   [](AgentRecord&) -> absl::StatusOr<std::vector<NewEvent>> {
                     return std::vector<NewEvent>{};
                   })
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

TEST_P(AgentStoreConformance, DeleteRemovesTheAgentAndAppendsEvents) {
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  ASSERT_TRUE(store_->ClaimLeases("r1", kLease, 10, nullptr).ok());
  auto events =
      store_->Delete("a", {SampleEvent("a", v1::EVENT_KIND_AGENT_DELETED)});
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(store_->Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("a", {}).status().code(),
            absl::StatusCode::kNotFound);
  auto leases = store_->ClaimLeases("r1", kLease, 10, nullptr);
  ASSERT_TRUE(leases.ok());
  EXPECT_THAT(leases->held, IsEmpty());
  EXPECT_THAT(leases->lost, ElementsAre("a"));
  // The id can be added again, from generation 1.
  ASSERT_TRUE(store_->Add(SampleAgent("a"), {}).ok());
  EXPECT_EQ(store_->Get("a")->generation, 1);
}

TEST_P(AgentStoreConformance, GetManyLeavesOutMissingIds) {
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(store_->Add(SampleAgent(id), {}).ok());
  }
  auto got = store_->GetMany({"c", "zz", "a"});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(Ids(*got), UnorderedElementsAre("a", "c"));
  auto none = store_->GetMany({});
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
}

TEST_P(AgentStoreConformance, ListPagesByIdAndFiltersByState) {
  const std::vector<std::pair<std::string, v1::OperationalState>> agents = {
      {"a1", kPending},   {"a2", kFailed}, {"a3", kAttesting}, {"b1", kFailed},
      {"b2", kAttesting}, {"c1", kFailed}, {"c2", kPending}};
  for (const auto& [id, state] : agents) {
    ASSERT_TRUE(store_->Add(SampleAgent(id, state), {}).ok());
  }
  std::vector<std::string> all;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->List({}, 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const AgentRecord& r : page->agents) all.push_back(r.agent.agent_id());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_THAT(all, ElementsAre("a1", "a2", "a3", "b1", "b2", "c1", "c2"));
  EXPECT_EQ(pages, 3);

  auto failed = store_->List({kFailed, kStopped}, 2, "");
  ASSERT_TRUE(failed.ok());
  EXPECT_THAT(Ids(failed->agents), ElementsAre("a2", "b1"));
  ASSERT_FALSE(failed->next_page_token.empty());
  // The token is bound to the filter (the order of states does not matter).
  auto rest = store_->List({kStopped, kFailed}, 2, failed->next_page_token);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(Ids(rest->agents), ElementsAre("c1"));
  EXPECT_TRUE(rest->next_page_token.empty());
  absl::Status wrong =
      store_->List({kPending}, 2, failed->next_page_token).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.message()), HasSubstr("state filter"));
  EXPECT_EQ(store_->List({}, 2, "garbage!").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(AgentStoreConformance, ListDefaultPageIs100) {
  for (int i = 0; i < 101; ++i) {
    ASSERT_TRUE(store_->Add(SampleAgent(absl::StrCat("n", 1000 + i)), {}).ok());
  }
  auto page = store_->List({}, 0, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->agents.size(), 100u);
  auto last = store_->List({}, 5000, page->next_page_token);
  ASSERT_TRUE(last.ok());
  EXPECT_THAT(Ids(last->agents), ElementsAre("n1100"));
}

TEST_P(AgentStoreConformance, PolicyReferencesAreCountedFollowersAtLatest) {
  auto with = [](const std::string& id, const std::string& runtime, uint32_t rv,
                 const std::string& boot, uint32_t bv) {
    AgentRecord r = SampleAgent(id);
    r.agent.mutable_runtime_policy()->set_name(runtime);
    r.agent.mutable_runtime_policy()->set_version(rv);
    r.agent.mutable_boot_policy()->set_name(boot);
    r.agent.mutable_boot_policy()->set_version(bv);
    return r;
  };
  ASSERT_TRUE(store_->Add(with("a", "ima", 0, "", 0), {}).ok());
  ASSERT_TRUE(store_->Add(with("b", "ima", 2, "uefi", 1), {}).ok());
  ASSERT_TRUE(store_->Add(with("c", "other", 0, "uefi", 0), {}).ok());
  ASSERT_TRUE(store_->Add(with("d", "ima", 3, "", 0), {}).ok());
  EXPECT_THAT(*store_->AgentsUsingPolicy("ima", 10),
              ElementsAre("a", "b", "d"));
  EXPECT_THAT(*store_->AgentsUsingPolicy("ima", 2), ElementsAre("a", "b"));
  EXPECT_THAT(*store_->AgentsUsingPolicy("uefi", 0), ElementsAre("b", "c"));
  EXPECT_THAT(*store_->AgentsUsingPolicy("none", 10), IsEmpty());
  EXPECT_EQ(*store_->CountAgentsUsingPolicyVersion("ima", 3, 3), 2u);  // a, d
  EXPECT_EQ(*store_->CountAgentsUsingPolicyVersion("ima", 2, 3), 1u);  // b
  EXPECT_EQ(*store_->CountAgentsUsingPolicyVersion("ima", 1, 3), 0u);
  EXPECT_EQ(*store_->CountAgentsUsingPolicyVersion("uefi", 1, 1), 2u);
  // A Mutate moving the reference is seen at once.
  ASSERT_TRUE(
      store_
          ->Mutate("d",
                   [](AgentRecord& r) -> absl::StatusOr<std::vector<NewEvent>> {
                     r.agent.mutable_runtime_policy()->set_name("other");
                     r.agent.mutable_runtime_policy()->set_version(0);
                     return std::vector<NewEvent>{};
                   })
          .ok());
  EXPECT_THAT(*store_->AgentsUsingPolicy("ima", 10), ElementsAre("a", "b"));
  EXPECT_EQ(*store_->CountAgentsUsingPolicyVersion("other", 7, 7), 2u);
}

}  // namespace candor::verifier::testing
