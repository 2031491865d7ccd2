// File: services/verifier/verifier_service_test_fixture.h
//
// Test fixture for VerifierServiceImpl: the service over an in-memory
// AgentStore and PolicyStore, a FakeRegistrarClient and a fixed V share
// sealing key, served in process on 127.0.0.1:0 (plaintext) and called
// through the generated stub, so codes and messages are checked as they
// cross the wire. The clock is fixed (now()). Not thread-safe; one per test.
#ifndef CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_TEST_FIXTURE_H_
#define CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_TEST_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "gtest/gtest.h"
#include "lib/rpc/auth.h"
#include "lib/rpc/server.h"
#include "services/verifier/admin/fake_registrar_client.h"
#include "services/verifier/admin/v_share_sealer.h"
#include "services/verifier/store/in_memory_agent_store.h"
#include "services/verifier/store/in_memory_policy_store.h"
#include "services/verifier/verifier_service.h"

namespace candor::verifier::testing {

inline constexpr char kReplicaId[] = "replica-test";
inline constexpr char kRuntimePolicy[] =
    R"({"meta": {"version": 1}, "excludes": ["/tmp/"]})";
inline constexpr char kBootPolicy[] = R"({"policy": "accept-all"})";

class VerifierServiceTest : public ::testing::Test {
 public:
  VerifierServiceTest();
  void SetUp() override { Start(rpc::MakeInsecureAuthorizer()); }
  // (Re)starts the service with `authorizer` and `watch`.
  void Start(std::unique_ptr<rpc::Authorizer> authorizer,
             WatchFn watch = nullptr);

  absl::Time now() const { return now_; }
  v1::VerifierService::Stub& stub() { return *stub_; }

  // Calls a unary RPC of the stub with a fresh ClientContext.
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (v1::VerifierService::Stub::*method)(
                        grpc::ClientContext*, const Req&, Resp*),
                    const Req& request, Resp* response) {
    grpc::ClientContext context;
    return (stub_.get()->*method)(&context, request, response);
  }

  // Registers `id` at the fake registrar (ACTIVE unless told).
  v1::RegisteredAgent Register(
      const std::string& id,
      v1::RegistrationState state = v1::REGISTRATION_STATE_ACTIVE);
  // An AddAgentRequest for a registered `id` with no policies.
  static v1::AddAgentRequest AddRequest(const std::string& id);
  // Registers and adds `id`; fails the test on error.
  v1::Agent AddAgent(const std::string& id);
  grpc::Status AddAgent(const v1::AddAgentRequest& request, v1::Agent* out);

  // Creates a policy through the service; fails the test on error.
  v1::PolicyVersion CreatePolicy(const std::string& name, v1::PolicyKind kind);

  // Every stored event, oldest first.
  std::vector<v1::AttestationEvent> Events();
  // The stored row; fails the test when absent.
  AgentRecord Record(const std::string& id);
  // Sets an agent's state directly in the store (as a cycle would).
  void ForceState(const std::string& id, v1::OperationalState state);

  absl::Time now_;
  InMemoryAgentStore agents_;
  InMemoryPolicyStore policies_;
  FakeRegistrarClient registrar_;
  std::unique_ptr<VShareSealer> sealer_;
  std::unique_ptr<rpc::Authorizer> authorizer_;
  std::unique_ptr<VerifierServiceImpl> service_;
  std::unique_ptr<rpc::RunningServer> server_;
  std::unique_ptr<v1::VerifierService::Stub> stub_;
};

// A 32-byte V share for tests.
std::string TestVShare(char fill = 'v');

}  // namespace candor::verifier::testing

#endif  // CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_TEST_FIXTURE_H_
