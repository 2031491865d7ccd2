// File: services/verifier/attestor/testing/fake_agent_connector.h
//
// Testonly. An AgentConnector whose agents are in-process evidence sources
// (SoftAgent::GetEvidence, or AgentCore::GetEvidence): GetQuote runs the
// source on the connector's own thread and calls `done` there, never on the
// caller's stack (like gRPC's callback threads). Each agent can be switched
// "unreachable": its calls then answer UNAVAILABLE. DeliverKeyShare and
// Notify requests are recorded and answered like an agent would (a V share
// alone: key_recombined false; a notice seen before: duplicate). Unknown
// agent ids connect, and every call answers UNAVAILABLE (like a host that
// does not answer). An agent can be held: its GetQuote calls wait (parked,
// not blocking the thread) until it is released, so a test can act while a
// cycle is in flight. WaitFor blocks until a predicate over the recordings
// holds, with a deadline, so tests never sleep.
//
// Thread-safe. Destroy only after the loop using it is stopped.
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_FAKE_AGENT_CONNECTOR_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_FAKE_AGENT_CONNECTOR_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/verifier/attestor/agent_connector.h"
#include "services/verifier/attestor/work_queue.h"

namespace candor::verifier::testing {

class FakeAgentConnector final : public AgentConnector {
 public:
  using EvidenceFn =
      std::function<absl::StatusOr<v1::Evidence>(const v1::EvidenceRequest&)>;

  // What the fake saw of one agent.
  struct Record {
    int quotes = 0;         // GetQuote calls answered with evidence
    int failed_quotes = 0;  // answered UNAVAILABLE / an error
    int connects = 0;
    int parked = 0;  // GetQuote calls waiting for Hold(false)
    std::vector<v1::DeliverKeyShareRequest> key_shares;  // accepted ones
    int failed_key_shares = 0;
    std::vector<v1::NotifyRequest> notices;
  };

  FakeAgentConnector() : thread_(1) {}
  ~FakeAgentConnector() override { thread_.Stop(); }

  void AddAgent(const std::string& agent_id, EvidenceFn evidence);
  void SetUnreachable(const std::string& agent_id, bool unreachable);
  // The agent's next `n` DeliverKeyShare calls answer UNAVAILABLE.
  void FailKeyShares(const std::string& agent_id, int n);
  // Parks the agent's GetQuote calls (true) or answers the parked ones and
  // stops parking (false).
  void Hold(const std::string& agent_id, bool hold);

  absl::StatusOr<std::shared_ptr<AgentConnection>> Connect(
      const std::string& agent_id, const std::string& address,
      const std::string& tls_certificate) override;

  // A copy of what the fake saw of `agent_id` (empty if nothing).
  Record Get(const std::string& agent_id) const;
  // Waits until `pred(records by agent id)` holds or `timeout` passes;
  // returns whether it holds.
  bool WaitFor(
      const std::function<bool(const std::map<std::string, Record>&)>& pred,
      absl::Duration timeout) const;

 private:
  class Connection;
  struct Agent {
    EvidenceFn evidence;
    bool unreachable = false;
    bool held = false;
    int fail_key_shares = 0;
    std::vector<std::function<void()>> parked;
  };

  mutable absl::Mutex mu_;
  std::map<std::string, Agent> agents_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Record> records_ ABSL_GUARDED_BY(mu_);
  WorkQueue thread_;  // where calls run and `done` is called
};

}  // namespace candor::verifier::testing

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_FAKE_AGENT_CONNECTOR_H_
