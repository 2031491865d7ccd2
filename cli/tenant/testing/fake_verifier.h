// File: cli/tenant/testing/fake_verifier.h  (testonly)
//
// An in-process VerifierService over in-memory maps, for testing the tenant
// against it: served on 127.0.0.1 (a free port) with insecure credentials, so
// the tenant runs with --insecure (or with the TLS credentials given). It
// implements what the CLI relies on:
//   - agents: AddAgent (ALREADY_EXISTS, NOT_FOUND for a missing policy,
//     INVALID_ARGUMENT for a v_share not 32 bytes; state PENDING; an empty
//     address becomes "registered.invalid:9002"), GetAgent, ListAgents
//     (ordered by id, states filter, page_size 0 = 100, opaque page tokens),
//     UpdateAgent (the updatable paths of verifier.proto; an empty mask or
//     another path is INVALID_ARGUMENT), DeleteAgent, StopAgent,
//     ReactivateAgent (FAILED_PRECONDITION unless FAILED or STOPPED);
//   - policies: Create (ALREADY_EXISTS; INVALID_ARGUMENT for kind
//     UNSPECIFIED or an expected_sha256 that does not match), Get, List,
//     Update (same content → the latest, no new version), Delete
//     (FAILED_PRECONDITION while an agent references it);
//   - WatchAttestations: each call takes the next script added with
//     AddWatchScript: it sends the script's messages, then either ends with
//     its status or (hold_open) waits until the client cancels. With no
//     script left a call waits until cancelled.
// Every request is recorded for the test to inspect. FailWith(status) makes
// every RPC answer that status (a replica whose database is down).
// Thread-safe.
#ifndef CANDOR_CLI_TENANT_TESTING_FAKE_VERIFIER_H_
#define CANDOR_CLI_TENANT_TESTING_FAKE_VERIFIER_H_

#include <grpcpp/grpcpp.h>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "candor/v1/verifier.grpc.pb.h"

namespace candor::tenant::testing {

class FakeVerifier final : public v1::VerifierService::Service {
 public:
  struct WatchScript {
    std::vector<v1::WatchAttestationsResponse> messages;
    grpc::Status end = grpc::Status::OK;
    bool hold_open = false;  // after the messages, wait for cancellation
  };

  // Starts the server (insecure unless `creds` is given); null if it cannot
  // listen.
  static std::unique_ptr<FakeVerifier> Start(
      std::shared_ptr<grpc::ServerCredentials> creds = nullptr);
  ~FakeVerifier() override;

  std::string address() const { return address_; }

  // Test setup and inspection.
  void PutAgent(const v1::Agent& agent);
  std::optional<v1::Agent> GetStoredAgent(const std::string& id);
  void PutPolicy(const std::string& name, v1::PolicyKind kind,
                 const std::string& content);
  void AddWatchScript(WatchScript script);
  void FailWith(grpc::Status status);
  std::vector<v1::AddAgentRequest> add_requests();
  std::vector<v1::UpdateAgentRequest> update_requests();
  std::vector<v1::ListAgentsRequest> list_requests();
  std::vector<v1::CreatePolicyRequest> create_policy_requests();
  std::vector<v1::WatchAttestationsRequest> watch_requests();

  // VerifierService.
  grpc::Status AddAgent(grpc::ServerContext*, const v1::AddAgentRequest*,
                        v1::Agent*) override;
  grpc::Status GetAgent(grpc::ServerContext*, const v1::GetAgentRequest*,
                        v1::Agent*) override;
  grpc::Status ListAgents(grpc::ServerContext*, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse*) override;
  grpc::Status UpdateAgent(grpc::ServerContext*, const v1::UpdateAgentRequest*,
                           v1::Agent*) override;
  grpc::Status DeleteAgent(grpc::ServerContext*, const v1::DeleteAgentRequest*,
                           v1::DeleteAgentResponse*) override;
  grpc::Status StopAgent(grpc::ServerContext*, const v1::StopAgentRequest*,
                         v1::Agent*) override;
  grpc::Status ReactivateAgent(grpc::ServerContext*,
                               const v1::ReactivateAgentRequest*,
                               v1::Agent*) override;
  grpc::Status CreatePolicy(grpc::ServerContext*,
                            const v1::CreatePolicyRequest*,
                            v1::PolicyVersion*) override;
  grpc::Status GetPolicy(grpc::ServerContext*, const v1::GetPolicyRequest*,
                         v1::GetPolicyResponse*) override;
  grpc::Status ListPolicies(grpc::ServerContext*,
                            const v1::ListPoliciesRequest*,
                            v1::ListPoliciesResponse*) override;
  grpc::Status UpdatePolicy(grpc::ServerContext*,
                            const v1::UpdatePolicyRequest*,
                            v1::PolicyVersion*) override;
  grpc::Status DeletePolicy(grpc::ServerContext*,
                            const v1::DeletePolicyRequest*,
                            v1::DeletePolicyResponse*) override;
  grpc::Status WatchAttestations(
      grpc::ServerContext*, const v1::WatchAttestationsRequest*,
      grpc::ServerWriter<v1::WatchAttestationsResponse>*) override;

 private:
  struct StoredVersion {
    v1::PolicyVersion meta;
    std::string content;
  };
  FakeVerifier() = default;
  grpc::Status CheckPolicyRef(const v1::PolicyRef& ref, v1::PolicyKind kind);
  uint32_t AgentsUsing(const std::string& name);

  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::mutex mu_;
  std::optional<grpc::Status> fail_;
  std::map<std::string, v1::Agent> agents_;
  std::map<std::string, std::vector<StoredVersion>> policies_;
  std::deque<WatchScript> scripts_;
  std::vector<v1::AddAgentRequest> adds_;
  std::vector<v1::UpdateAgentRequest> updates_;
  std::vector<v1::ListAgentsRequest> lists_;
  std::vector<v1::CreatePolicyRequest> creates_;
  std::vector<v1::WatchAttestationsRequest> watches_;
};

}  // namespace candor::tenant::testing

#endif  // CANDOR_CLI_TENANT_TESTING_FAKE_VERIFIER_H_
