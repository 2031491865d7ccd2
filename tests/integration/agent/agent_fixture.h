// File: tests/integration/agent/agent_fixture.h
//
// A test fixture running the agent binary on a real swtpm with a fresh
// Candor PKI, and clients that call it over mTLS as a verifier (or another
// role) would: the agent's own certificate pinned, its id as TLS name.
#ifndef CANDOR_TESTS_INTEGRATION_AGENT_AGENT_FIXTURE_H_
#define CANDOR_TESTS_INTEGRATION_AGENT_AGENT_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "candor/v1/agent.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"

namespace candor {

inline constexpr char kAgentId[] = "agent-test-1";

std::string Tmp(const std::string& name);

class AgentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override { StopAgent(); }

  void StartAgent();
  void StopAgent();
  std::unique_ptr<v1::AgentService::Stub> Stub(
      const std::string& client, const std::string& target = kAgentId);
  absl::StatusOr<v1::Evidence> Quote(v1::EvidenceRequest req,
                                     const std::string& client = "verifier");
  absl::StatusOr<v1::GetIdentityResponse> Identity();
  static v1::EvidenceRequest Request(std::vector<uint32_t> pcrs);

  static testing::Swtpm* tpm_;
  static absl::Status* start_;
  int port_ = 0;
  int runs_ = 0;
  std::string log_;
  std::unique_ptr<testing::Subprocess> agent_;
};

}  // namespace candor

#endif  // CANDOR_TESTS_INTEGRATION_AGENT_AGENT_FIXTURE_H_
