// File: services/verifier/attestor/testing/attestor_fixture.h
//
// Testonly. A gtest fixture running one Attestor replica ("r1") in process:
// InMemoryAgentStore, a runtime policy "rt" (built from a fresh SoftAgent's
// IMA log plus /usr/bin/ok) in an InMemoryPolicyStore, PolicyCache and
// PolicyResolver (100 ms TTL), an EventHub, the default SeverityPolicy,
// software agents behind FakeAgentConnector, fake V-share open/wrap and
// notice signing functions, VerifierMetrics on `registry_`, 50 ms quote
// interval. Helpers add agents as the
// admin service would and wait on the event stream with deadlines (no
// sleeps). Not thread-safe (the test thread drives it).
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_ATTESTOR_FIXTURE_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_ATTESTOR_FIXTURE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "candor/internal/v1/attest_state.pb.h"
#include "gtest/gtest.h"
#include "lib/attest/attest_state.h"
#include "lib/failure/catalogue.h"
#include "lib/metrics/component_metrics.h"
#include "prometheus/registry.h"
#include "services/verifier/attestor/attestor.h"
#include "services/verifier/attestor/testing/fake_agent_connector.h"
#include "services/verifier/attestor/testing/soft_agent.h"
#include "services/verifier/policy_cache.h"
#include "services/verifier/store/in_memory_agent_store.h"
#include "services/verifier/store/in_memory_policy_store.h"

namespace candor::verifier::testing {

using Records = std::map<std::string, FakeAgentConnector::Record>;

inline constexpr absl::Duration kWait = absl::Seconds(20);
inline constexpr char kPolicy[] = "rt";

inline bool Is(const StoredEvent& e, const std::string& agent,
               v1::EventKind kind) {
  return e.event.agent_id() == agent && e.event.kind() == kind;
}

class AttestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SoftAgent>> ref = SoftAgent::Create("ref");
    ASSERT_TRUE(ref.ok()) << ref.status();
    base_log_ = (*ref)->ImaLogText();
    absl::StatusOr<std::string> json =
        RuntimePolicyJson(base_log_, {{"/usr/bin/ok", "ok"}});
    ASSERT_TRUE(json.ok()) << json.status();
    ASSERT_TRUE(
        policies_.Create(kPolicy, v1::POLICY_KIND_RUNTIME, *json, "").ok());
    StartLoop();
  }

  void TearDown() override { StopLoop(); }

  // An Attestor for `replica` on the fixture's store, policies and
  // connector, listening on `hub` (attached, not started).
  std::unique_ptr<Attestor> NewAttestor(const std::string& replica,
                                        EventHub* hub) {
    Attestor::Options o;
    o.replica_id = replica;
    o.address = absl::StrCat(replica, ".local:9001");
    o.default_interval = absl::Milliseconds(50);
    o.rpc_timeout = absl::Seconds(5);
    o.backoff_ceiling = absl::Milliseconds(200);
    o.unreachable_after = 2;
    o.lease_duration = absl::Seconds(30);
    o.lease_renew = absl::Milliseconds(100);
    o.commits.window = absl::Milliseconds(20);
    o.ima_page_entries = ima_page_entries_;
    Attestor::Deps d;
    d.store = loop_store_;
    d.policies = &resolver_;
    d.connector = &connector_;
    d.hub = hub;
    d.severity = &severity_;
    d.metrics = &metrics_;
    d.open_v_share =
        [](const std::string& sealed) -> absl::StatusOr<crypto::SecretBytes> {
      return crypto::SecretBytes(absl::StrCat("open(", sealed, ")"));
    };
    d.wrap_share =
        [](absl::string_view spki,
           const crypto::SecretBytes& v) -> absl::StatusOr<std::string> {
      return absl::StrCat("wrap(", spki.size(), ",", v.view(), ")");
    };
    d.sign_notice = [](const v1::RevocationMessage& m)
        -> absl::StatusOr<v1::RevocationNotice> {
      v1::RevocationNotice n;
      n.set_message(m.SerializeAsString());
      n.set_signature("signed");
      return n;
    };
    auto attestor = std::make_unique<Attestor>(o, d);
    attestor->Attach();
    return attestor;
  }
  std::unique_ptr<EventHub> NewHub() {
    return std::make_unique<EventHub>(
        &store_, EventHub::Options{absl::Milliseconds(50), 1000});
  }

  // Replica "r1" with its hub; sub_ follows that hub.
  void StartLoop() {
    hub_ = NewHub();
    attestor_ = NewAttestor("r1", hub_.get());
    ASSERT_TRUE(hub_->Start().ok());
    sub_ = hub_->Subscribe(100000);
    attestor_->Start();
  }

  void StopLoop() {
    if (attestor_ == nullptr) return;
    sub_.reset();
    hub_->Stop();
    attestor_->Stop();
    attestor_.reset();
    hub_.reset();
  }

  // Creates a software agent, registers it with the connector and adds it
  // to the store as the admin service would (PENDING, AGENT_ADDED event).
  SoftAgent* AddAgent(const std::string& id, bool v_share = false,
                      bool tamper_first = false,
                      const std::string& policy = kPolicy) {
    absl::StatusOr<std::unique_ptr<SoftAgent>> a = SoftAgent::Create(id);
    EXPECT_TRUE(a.ok()) << a.status();
    if (!a.ok()) return nullptr;
    SoftAgent* agent = a->get();
    agents_.push_back(std::move(*a));
    if (tamper_first) {
      EXPECT_TRUE(agent->Measure("/usr/bin/evil", "evil").ok());
    }
    connector_.AddAgent(id, [agent](const v1::EvidenceRequest& r) {
      return agent->GetEvidence(r);
    });
    AgentRecord r;
    r.agent.set_agent_id(id);
    r.agent.set_address(absl::StrCat("fake-", id, ":9002"));
    r.agent.set_state(v1::OPERATIONAL_STATE_PENDING);
    r.agent.mutable_runtime_policy()->set_name(policy);
    r.identity = agent->identity();
    absl::StatusOr<attest::AgentAttestationState> s =
        attest::AgentAttestationState::Initial();
    EXPECT_TRUE(s.ok());
    r.attest_state = attest::SerializeState(*s);
    if (v_share) r.sealed_v_share = absl::StrCat("sealed-", id);
    NewEvent added;
    added.event.set_agent_id(id);
    added.event.set_kind(v1::EVENT_KIND_AGENT_ADDED);
    added.event.set_state(v1::OPERATIONAL_STATE_PENDING);
    EXPECT_TRUE(store_.Add(r, {added}).ok());
    return agent;
  }

  // Admin state change with its STATE_CHANGED event, as the service writes.
  void SetState(const std::string& id, v1::OperationalState to) {
    absl::StatusOr<AgentRecord> r = store_.Mutate(
        id, [&](AgentRecord& rec) -> absl::StatusOr<std::vector<NewEvent>> {
          NewEvent e;
          e.event.set_agent_id(id);
          e.event.set_kind(v1::EVENT_KIND_STATE_CHANGED);
          e.event.set_previous_state(rec.agent.state());
          e.event.set_state(to);
          rec.agent.set_state(to);
          return std::vector<NewEvent>{e};
        });
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Pulls the stream until `pred` matches an event at index >= `from`.
  // Returns its index in events_.
  std::optional<size_t> WaitEvent(
      const std::function<bool(const StoredEvent&)>& pred, size_t from = 0) {
    const absl::Time deadline = absl::Now() + kWait;
    size_t i = from;
    while (true) {
      for (; i < events_.size(); ++i) {
        if (pred(events_[i])) return i;
      }
      absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return std::nullopt;
      absl::StatusOr<std::vector<StoredEvent>> batch = sub_->Next(left);
      if (!batch.ok()) return std::nullopt;
      for (StoredEvent& e : *batch) events_.push_back(std::move(e));
    }
  }
  std::optional<size_t> WaitKind(const std::string& id, v1::EventKind kind,
                                 size_t from = 0) {
    return WaitEvent([&](const StoredEvent& e) { return Is(e, id, kind); },
                     from);
  }
  // Index after the n-th event of `kind` for `id` counted from `from`.
  std::optional<size_t> WaitCount(const std::string& id, v1::EventKind kind,
                                  int n, size_t from = 0) {
    std::optional<size_t> at =
        from > 0 ? std::optional<size_t>(from - 1) : std::nullopt;
    for (int k = 0; k < n; ++k) {
      at = WaitKind(id, kind, at.has_value() ? *at + 1 : 0);
      if (!at.has_value()) return std::nullopt;
    }
    return at;
  }
  int Count(const std::string& id, v1::EventKind kind, size_t from = 0,
            size_t to = SIZE_MAX) {
    int n = 0;
    for (size_t i = from; i < events_.size() && i < to; ++i) {
      n += Is(events_[i], id, kind) ? 1 : 0;
    }
    return n;
  }
  AgentRecord Row(const std::string& id) {
    absl::StatusOr<AgentRecord> r = store_.Get(id);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : AgentRecord();
  }

  // The store's clock runs `skew_ms_` ahead of real time (lease expiry).
  std::atomic<int64_t> skew_ms_{0};
  InMemoryAgentStore store_{
      [this] { return absl::Now() + absl::Milliseconds(skew_ms_.load()); }};
  InMemoryPolicyStore policies_;
  PolicyCache cache_{&policies_};
  PolicyResolver resolver_{&policies_, &cache_, absl::Milliseconds(100)};
  failure::SeverityPolicy severity_;
  std::shared_ptr<prometheus::Registry> registry_ =
      std::make_shared<prometheus::Registry>();
  metrics::VerifierMetrics metrics_{registry_};
  FakeAgentConnector connector_;
  uint32_t ima_page_entries_ = 10000;  // set before StartLoop
  AgentStore* loop_store_ = &store_;   // the store the loop uses
  std::string base_log_;
  std::vector<std::unique_ptr<SoftAgent>> agents_;
  std::unique_ptr<EventHub> hub_;
  std::unique_ptr<Attestor> attestor_;
  std::unique_ptr<EventHub::Subscription> sub_;
  std::vector<StoredEvent> events_;
};

}  // namespace candor::verifier::testing

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_ATTESTOR_FIXTURE_H_
