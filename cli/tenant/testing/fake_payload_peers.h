// File: cli/tenant/testing/fake_payload_peers.h  (testonly)
//
// The registrar and the agent as `tenant agent add --payload` sees them,
// in-process, on free 127.0.0.1 ports, insecure unless Start is given TLS
// server credentials:
//   - FakeRegistrar: GetRegisteredAgent answers the RegisteredAgent put with
//     Put (NOT_FOUND otherwise);
//   - FakeAgent: DeliverKeyShare records each request and answers
//     key_recombined = false, "waiting for the V share" (the fake does not
//     recombine; tests unwrap the recorded shares themselves).
// Start() returns null if the server cannot listen. Thread-safe.
#ifndef CANDOR_CLI_TENANT_TESTING_FAKE_PAYLOAD_PEERS_H_
#define CANDOR_CLI_TENANT_TESTING_FAKE_PAYLOAD_PEERS_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "candor/v1/agent.grpc.pb.h"
#include "candor/v1/registrar.grpc.pb.h"

namespace candor::tenant::testing {

class FakeRegistrar final : public v1::RegistrarService::Service {
 public:
  static std::unique_ptr<FakeRegistrar> Start(
      std::shared_ptr<grpc::ServerCredentials> creds = nullptr);
  ~FakeRegistrar() override;
  std::string address() const { return address_; }
  void Put(const v1::RegisteredAgent& agent);

  grpc::Status GetRegisteredAgent(grpc::ServerContext*,
                                  const v1::GetRegisteredAgentRequest*,
                                  v1::RegisteredAgent*) override;

 private:
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::mutex mu_;
  std::map<std::string, v1::RegisteredAgent> agents_;
};

class FakeAgent final : public v1::AgentService::Service {
 public:
  static std::unique_ptr<FakeAgent> Start(
      std::shared_ptr<grpc::ServerCredentials> creds = nullptr);
  ~FakeAgent() override;
  std::string address() const { return address_; }
  std::vector<v1::DeliverKeyShareRequest> received();

  grpc::Status DeliverKeyShare(grpc::ServerContext*,
                               const v1::DeliverKeyShareRequest*,
                               v1::DeliverKeyShareResponse*) override;

 private:
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::mutex mu_;
  std::vector<v1::DeliverKeyShareRequest> received_;
};

}  // namespace candor::tenant::testing

#endif  // CANDOR_CLI_TENANT_TESTING_FAKE_PAYLOAD_PEERS_H_
