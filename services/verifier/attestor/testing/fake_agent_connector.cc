#include "services/verifier/attestor/testing/fake_agent_connector.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::verifier::testing {

class FakeAgentConnector::Connection final : public AgentConnection {
 public:
  Connection(FakeAgentConnector* owner, std::string id)
      : owner_(owner), id_(std::move(id)) {}

  void GetQuote(const v1::GetQuoteRequest& request, absl::Duration,
                Done<v1::GetQuoteResponse> done) override {
    std::function<void()> call = [this, request, done = std::move(done)] {
      EvidenceFn evidence;
      {
        absl::MutexLock lock(&owner_->mu_);
        auto it = owner_->agents_.find(id_);
        if (it != owner_->agents_.end() && !it->second.unreachable) {
          evidence = it->second.evidence;
        }
      }
      absl::StatusOr<v1::GetQuoteResponse> resp = Unavailable();
      if (evidence) {
        absl::StatusOr<v1::Evidence> ev = evidence(request.request());
        if (ev.ok()) {
          v1::GetQuoteResponse r;
          *r.mutable_evidence() = std::move(*ev);
          resp = std::move(r);
        } else {
          resp = ev.status();
        }
      }
      {
        absl::MutexLock lock(&owner_->mu_);
        Record& rec = owner_->records_[id_];
        ++(resp.ok() ? rec.quotes : rec.failed_quotes);
      }
      done(std::move(resp));
    };
    {
      absl::MutexLock lock(&owner_->mu_);
      Agent& a = owner_->agents_[id_];
      if (a.held) {
        a.parked.push_back(std::move(call));
        ++owner_->records_[id_].parked;
        return;
      }
    }
    owner_->thread_.Post(std::move(call));
  }

  void DeliverKeyShare(const v1::DeliverKeyShareRequest& request,
                       absl::Duration,
                       Done<v1::DeliverKeyShareResponse> done) override {
    owner_->thread_.Post([this, request, done = std::move(done)] {
      if (!Reachable()) return done(Unavailable());
      {
        absl::MutexLock lock(&owner_->mu_);
        Agent& a = owner_->agents_[id_];
        if (a.fail_key_shares > 0) {
          --a.fail_key_shares;
          ++owner_->records_[id_].failed_key_shares;
          return done(Unavailable());
        }
        owner_->records_[id_].key_shares.push_back(request);
      }
      v1::DeliverKeyShareResponse resp;
      resp.mutable_result()->set_key_recombined(false);
      resp.mutable_result()->set_detail("V share stored; waiting for U");
      done(std::move(resp));
    });
  }

  void Notify(const v1::NotifyRequest& request, absl::Duration,
              Done<v1::NotifyResponse> done) override {
    owner_->thread_.Post([this, request, done = std::move(done)] {
      if (!Reachable()) return done(Unavailable());
      v1::NotifyResponse resp;
      {
        absl::MutexLock lock(&owner_->mu_);
        std::vector<v1::NotifyRequest>& seen = owner_->records_[id_].notices;
        for (const v1::NotifyRequest& n : seen) {
          if (n.notice().message() == request.notice().message()) {
            resp.set_duplicate(true);
          }
        }
        seen.push_back(request);
      }
      done(std::move(resp));
    });
  }

 private:
  bool Reachable() {
    absl::MutexLock lock(&owner_->mu_);
    auto it = owner_->agents_.find(id_);
    return it != owner_->agents_.end() && !it->second.unreachable;
  }
  absl::Status Unavailable() const {
    return absl::UnavailableError(
        absl::StrCat("agent ", id_, ": connection refused"));
  }

  FakeAgentConnector* const owner_;
  const std::string id_;
};

void FakeAgentConnector::AddAgent(const std::string& agent_id,
                                  EvidenceFn evidence) {
  absl::MutexLock lock(&mu_);
  agents_[agent_id].evidence = std::move(evidence);
}

void FakeAgentConnector::SetUnreachable(const std::string& agent_id,
                                        bool unreachable) {
  absl::MutexLock lock(&mu_);
  agents_[agent_id].unreachable = unreachable;
}

void FakeAgentConnector::FailKeyShares(const std::string& agent_id, int n) {
  absl::MutexLock lock(&mu_);
  agents_[agent_id].fail_key_shares = n;
}

void FakeAgentConnector::Hold(const std::string& agent_id, bool hold) {
  std::vector<std::function<void()>> release;
  {
    absl::MutexLock lock(&mu_);
    Agent& a = agents_[agent_id];
    a.held = hold;
    if (!hold) {
      release.swap(a.parked);
      records_[agent_id].parked = 0;
    }
  }
  for (auto& call : release) thread_.Post(std::move(call));
}

absl::StatusOr<std::shared_ptr<AgentConnection>> FakeAgentConnector::Connect(
    const std::string& agent_id, const std::string&, const std::string&) {
  absl::MutexLock lock(&mu_);
  ++records_[agent_id].connects;
  return std::shared_ptr<AgentConnection>(
      std::make_shared<Connection>(this, agent_id));
}

FakeAgentConnector::Record FakeAgentConnector::Get(
    const std::string& agent_id) const {
  absl::MutexLock lock(&mu_);
  auto it = records_.find(agent_id);
  return it == records_.end() ? Record() : it->second;
}

bool FakeAgentConnector::WaitFor(
    const std::function<bool(const std::map<std::string, Record>&)>& pred,
    absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto holds = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return pred(records_); };
  return mu_.AwaitWithTimeout(absl::Condition(&holds), timeout);
}

}  // namespace candor::verifier::testing
