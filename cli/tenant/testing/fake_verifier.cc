#include "cli/tenant/testing/fake_verifier.h"

#include <chrono>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "lib/crypto/digest.h"

namespace candor::tenant::testing {
namespace {

using google::protobuf::util::TimeUtil;

grpc::Status Err(grpc::StatusCode code, const std::string& msg) {
  return grpc::Status(code, msg);
}

grpc::Status NoAgent(const std::string& id) {
  return Err(grpc::StatusCode::NOT_FOUND, absl::StrCat("no agent '", id, "'"));
}

// Opaque enough for tests: "p:" + the last id of the previous page.
std::string Token(const std::string& last) { return absl::StrCat("p:", last); }

}  // namespace

std::unique_ptr<FakeVerifier> FakeVerifier::Start(
    std::shared_ptr<grpc::ServerCredentials> creds) {
  std::unique_ptr<FakeVerifier> f(new FakeVerifier());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(
      "127.0.0.1:0",
      creds != nullptr ? creds : grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(f.get());
  f->server_ = builder.BuildAndStart();
  if (f->server_ == nullptr || port == 0) return nullptr;
  f->address_ = absl::StrCat("127.0.0.1:", port);
  return f;
}

FakeVerifier::~FakeVerifier() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
  }
}

#define CANDOR_FAKE_FAIL_IF_SET()        \
  std::lock_guard<std::mutex> lock(mu_); \
  if (fail_.has_value()) return *fail_

void FakeVerifier::PutAgent(const v1::Agent& agent) {
  std::lock_guard<std::mutex> l(mu_);
  agents_[agent.agent_id()] = agent;
}

std::optional<v1::Agent> FakeVerifier::GetStoredAgent(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = agents_.find(id);
  if (it == agents_.end()) return std::nullopt;
  return it->second;
}

void FakeVerifier::PutPolicy(const std::string& name, v1::PolicyKind kind,
                             const std::string& content) {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<StoredVersion>& versions = policies_[name];
  StoredVersion v;
  v.meta.set_name(name);
  v.meta.set_kind(kind);
  v.meta.set_version(versions.size() + 1);
  v.meta.set_sha256(crypto::Sha256(content));
  v.meta.set_size_bytes(content.size());
  *v.meta.mutable_created_at() = TimeUtil::GetCurrentTime();
  v.content = content;
  versions.push_back(std::move(v));
}

void FakeVerifier::AddWatchScript(WatchScript script) {
  std::lock_guard<std::mutex> l(mu_);
  scripts_.push_back(std::move(script));
}

void FakeVerifier::FailWith(grpc::Status status) {
  std::lock_guard<std::mutex> l(mu_);
  fail_ = std::move(status);
}

std::vector<v1::AddAgentRequest> FakeVerifier::add_requests() {
  std::lock_guard<std::mutex> l(mu_);
  return adds_;
}
std::vector<v1::UpdateAgentRequest> FakeVerifier::update_requests() {
  std::lock_guard<std::mutex> l(mu_);
  return updates_;
}
std::vector<v1::ListAgentsRequest> FakeVerifier::list_requests() {
  std::lock_guard<std::mutex> l(mu_);
  return lists_;
}
std::vector<v1::CreatePolicyRequest> FakeVerifier::create_policy_requests() {
  std::lock_guard<std::mutex> l(mu_);
  return creates_;
}
std::vector<v1::WatchAttestationsRequest> FakeVerifier::watch_requests() {
  std::lock_guard<std::mutex> l(mu_);
  return watches_;
}

// Called with mu_ held.
grpc::Status FakeVerifier::CheckPolicyRef(const v1::PolicyRef& ref,
                                          v1::PolicyKind kind) {
  if (ref.name().empty()) return grpc::Status::OK;
  auto it = policies_.find(ref.name());
  if (it == policies_.end() || ref.version() > it->second.size()) {
    return Err(grpc::StatusCode::NOT_FOUND,
               absl::StrCat("policy '", ref.name(), "' version ", ref.version(),
                            " does not exist"));
  }
  if (it->second.front().meta.kind() != kind) {
    return Err(grpc::StatusCode::INVALID_ARGUMENT,
               absl::StrCat("policy '", ref.name(), "' is of another kind"));
  }
  return grpc::Status::OK;
}

// Called with mu_ held.
uint32_t FakeVerifier::AgentsUsing(const std::string& name) {
  uint32_t n = 0;
  for (const auto& [id, a] : agents_) {
    if (a.runtime_policy().name() == name || a.boot_policy().name() == name) {
      ++n;
    }
  }
  return n;
}

grpc::Status FakeVerifier::AddAgent(grpc::ServerContext*,
                                    const v1::AddAgentRequest* req,
                                    v1::Agent* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  adds_.push_back(*req);
  const v1::Agent& in = req->agent();
  if (in.agent_id().empty()) {
    return Err(grpc::StatusCode::INVALID_ARGUMENT, "agent.agent_id: empty");
  }
  if (!req->v_share().empty() && req->v_share().size() != 32) {
    return Err(grpc::StatusCode::INVALID_ARGUMENT, "v_share: not 32 bytes");
  }
  if (agents_.count(in.agent_id()) > 0) {
    return Err(grpc::StatusCode::ALREADY_EXISTS,
               absl::StrCat("agent '", in.agent_id(), "' is already added"));
  }
  grpc::Status s = CheckPolicyRef(in.runtime_policy(), v1::POLICY_KIND_RUNTIME);
  if (s.ok()) s = CheckPolicyRef(in.boot_policy(), v1::POLICY_KIND_BOOT);
  if (!s.ok()) return s;
  v1::Agent a = in;
  if (a.address().empty()) a.set_address("registered.invalid:9002");
  a.set_state(v1::OPERATIONAL_STATE_PENDING);
  *a.mutable_added_at() = TimeUtil::GetCurrentTime();
  agents_[a.agent_id()] = a;
  *out = a;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::GetAgent(grpc::ServerContext*,
                                    const v1::GetAgentRequest* req,
                                    v1::Agent* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  auto it = agents_.find(req->agent_id());
  if (it == agents_.end()) return NoAgent(req->agent_id());
  *out = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::ListAgents(grpc::ServerContext*,
                                      const v1::ListAgentsRequest* req,
                                      v1::ListAgentsResponse* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  lists_.push_back(*req);
  uint32_t size = req->page_size() == 0 ? 100 : req->page_size();
  auto it = agents_.begin();
  if (!req->page_token().empty()) {
    if (req->page_token().rfind("p:", 0) != 0) {
      return Err(grpc::StatusCode::INVALID_ARGUMENT, "malformed page_token");
    }
    it = agents_.upper_bound(req->page_token().substr(2));
  }
  for (; it != agents_.end(); ++it) {
    const v1::Agent& a = it->second;
    bool match = req->states().empty();
    for (int s : req->states()) match = match || s == a.state();
    if (!match) continue;
    if (static_cast<uint32_t>(out->agents_size()) == size) {
      out->set_next_page_token(Token(out->agents().rbegin()->agent_id()));
      break;
    }
    *out->add_agents() = a;
  }
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::UpdateAgent(grpc::ServerContext*,
                                       const v1::UpdateAgentRequest* req,
                                       v1::Agent* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  updates_.push_back(*req);
  if (req->update_mask().paths().empty()) {
    return Err(grpc::StatusCode::INVALID_ARGUMENT, "update_mask: empty");
  }
  auto it = agents_.find(req->agent().agent_id());
  if (it == agents_.end()) return NoAgent(req->agent().agent_id());
  v1::Agent a = it->second;
  const v1::Agent& in = req->agent();
  for (const std::string& path : req->update_mask().paths()) {
    if (path == "address") {
      a.set_address(in.address());
    } else if (path == "quote_interval") {
      *a.mutable_quote_interval() = in.quote_interval();
    } else if (path == "runtime_policy") {
      grpc::Status s =
          CheckPolicyRef(in.runtime_policy(), v1::POLICY_KIND_RUNTIME);
      if (!s.ok()) return s;
      *a.mutable_runtime_policy() = in.runtime_policy();
    } else if (path == "boot_policy") {
      grpc::Status s = CheckPolicyRef(in.boot_policy(), v1::POLICY_KIND_BOOT);
      if (!s.ok()) return s;
      *a.mutable_boot_policy() = in.boot_policy();
    } else if (path == "static_pcr_policy") {
      *a.mutable_static_pcr_policy() = in.static_pcr_policy();
    } else if (path == "pcr_selections") {
      *a.mutable_pcr_selections() = in.pcr_selections();
    } else if (path == "metadata") {
      *a.mutable_metadata() = in.metadata();
    } else {
      return Err(grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("update_mask: '", path, "' is not updatable"));
    }
  }
  it->second = a;
  *out = a;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::DeleteAgent(grpc::ServerContext*,
                                       const v1::DeleteAgentRequest* req,
                                       v1::DeleteAgentResponse*) {
  CANDOR_FAKE_FAIL_IF_SET();
  if (agents_.erase(req->agent_id()) == 0) return NoAgent(req->agent_id());
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::StopAgent(grpc::ServerContext*,
                                     const v1::StopAgentRequest* req,
                                     v1::Agent* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  auto it = agents_.find(req->agent_id());
  if (it == agents_.end()) return NoAgent(req->agent_id());
  it->second.set_state(v1::OPERATIONAL_STATE_STOPPED);
  *out = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::ReactivateAgent(
    grpc::ServerContext*, const v1::ReactivateAgentRequest* req,
    v1::Agent* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  auto it = agents_.find(req->agent_id());
  if (it == agents_.end()) return NoAgent(req->agent_id());
  v1::Agent& a = it->second;
  if (a.state() != v1::OPERATIONAL_STATE_FAILED &&
      a.state() != v1::OPERATIONAL_STATE_STOPPED) {
    return Err(grpc::StatusCode::FAILED_PRECONDITION,
               absl::StrCat("agent '", a.agent_id(),
                            "' is neither FAILED nor STOPPED"));
  }
  a.set_state(v1::OPERATIONAL_STATE_PENDING);
  a.set_severity_level(v1::SEVERITY_UNSPECIFIED);
  a.clear_last_failure();
  *out = a;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::CreatePolicy(grpc::ServerContext*,
                                        const v1::CreatePolicyRequest* req,
                                        v1::PolicyVersion* out) {
  {
    CANDOR_FAKE_FAIL_IF_SET();
    creates_.push_back(*req);
    if (req->kind() == v1::POLICY_KIND_UNSPECIFIED) {
      return Err(grpc::StatusCode::INVALID_ARGUMENT, "kind: UNSPECIFIED");
    }
    if (!req->expected_sha256().empty() &&
        req->expected_sha256() != crypto::Sha256(req->content())) {
      return Err(grpc::StatusCode::INVALID_ARGUMENT,
                 "expected_sha256 does not match the content");
    }
    if (policies_.count(req->name()) > 0) {
      return Err(grpc::StatusCode::ALREADY_EXISTS,
                 absl::StrCat("policy '", req->name(), "' exists"));
    }
  }
  PutPolicy(req->name(), req->kind(), req->content());
  std::lock_guard<std::mutex> l(mu_);
  *out = policies_[req->name()].back().meta;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::GetPolicy(grpc::ServerContext*,
                                     const v1::GetPolicyRequest* req,
                                     v1::GetPolicyResponse* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  auto it = policies_.find(req->name());
  if (it == policies_.end() || req->version() > it->second.size()) {
    return Err(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat("no policy '", req->name(), "' version ", req->version()));
  }
  const StoredVersion& v =
      req->version() == 0 ? it->second.back() : it->second[req->version() - 1];
  *out->mutable_policy() = v.meta;
  out->mutable_policy()->set_agents_using(AgentsUsing(req->name()));
  if (req->include_content()) out->set_content(v.content);
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::ListPolicies(grpc::ServerContext*,
                                        const v1::ListPoliciesRequest* req,
                                        v1::ListPoliciesResponse* out) {
  CANDOR_FAKE_FAIL_IF_SET();
  uint32_t size = req->page_size() == 0 ? 100 : req->page_size();
  auto it = policies_.begin();
  if (!req->page_token().empty()) {
    it = policies_.upper_bound(req->page_token().substr(2));
  }
  for (; it != policies_.end(); ++it) {
    const v1::PolicyVersion& p = it->second.back().meta;
    if (req->kind() != v1::POLICY_KIND_UNSPECIFIED && p.kind() != req->kind()) {
      continue;
    }
    if (static_cast<uint32_t>(out->policies_size()) == size) {
      out->set_next_page_token(Token(out->policies().rbegin()->name()));
      break;
    }
    *out->add_policies() = p;
  }
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::UpdatePolicy(grpc::ServerContext*,
                                        const v1::UpdatePolicyRequest* req,
                                        v1::PolicyVersion* out) {
  v1::PolicyKind kind;
  {
    CANDOR_FAKE_FAIL_IF_SET();
    auto it = policies_.find(req->name());
    if (it == policies_.end()) {
      return Err(grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("no policy '", req->name(), "'"));
    }
    if (!req->expected_sha256().empty() &&
        req->expected_sha256() != crypto::Sha256(req->content())) {
      return Err(grpc::StatusCode::INVALID_ARGUMENT,
                 "expected_sha256 does not match the content");
    }
    if (it->second.back().meta.sha256() == crypto::Sha256(req->content())) {
      *out = it->second.back().meta;
      return grpc::Status::OK;
    }
    kind = it->second.back().meta.kind();
  }
  PutPolicy(req->name(), kind, req->content());
  std::lock_guard<std::mutex> l(mu_);
  *out = policies_[req->name()].back().meta;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::DeletePolicy(grpc::ServerContext*,
                                        const v1::DeletePolicyRequest* req,
                                        v1::DeletePolicyResponse*) {
  CANDOR_FAKE_FAIL_IF_SET();
  if (policies_.count(req->name()) == 0) {
    return Err(grpc::StatusCode::NOT_FOUND,
               absl::StrCat("no policy '", req->name(), "'"));
  }
  if (AgentsUsing(req->name()) > 0) {
    return Err(grpc::StatusCode::FAILED_PRECONDITION,
               absl::StrCat("policy '", req->name(), "' is still used"));
  }
  policies_.erase(req->name());
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::WatchAttestations(
    grpc::ServerContext* ctx, const v1::WatchAttestationsRequest* req,
    grpc::ServerWriter<v1::WatchAttestationsResponse>* writer) {
  WatchScript script;
  script.hold_open = true;
  {
    CANDOR_FAKE_FAIL_IF_SET();
    watches_.push_back(*req);
    if (!scripts_.empty()) {
      script = std::move(scripts_.front());
      scripts_.pop_front();
    }
  }
  for (const v1::WatchAttestationsResponse& m : script.messages) {
    if (!writer->Write(m)) return grpc::Status::CANCELLED;
  }
  if (!script.hold_open) return script.end;
  // A live stream with nothing more to say: wait for the client to go. The
  // sync API has no cancellation callback, so poll (fake only).
  while (!ctx->IsCancelled()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return grpc::Status::CANCELLED;
}

}  // namespace candor::tenant::testing
