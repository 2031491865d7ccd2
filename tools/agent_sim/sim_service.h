// File: tools/agent_sim/sim_service.h
//
// candor.v1.AgentService for every virtual agent at once, on one gRPC
// server. The server holds every agent's TLS key and certificate; gRPC's
// TLS stack picks the certificate whose name matches the client's SNI (the
// verifier's TLS target name = agent id), and the client's target name
// override also becomes the :authority of its calls, so the handler finds
// the virtual agent from ServerContext::ExperimentalGetAuthority() (a
// trailing ":port" is ignored). An authority naming no virtual agent
// answers NOT_FOUND.
//
// Roles as the real agent (services/agent/agent_service.cc, lib/rpc/auth.h):
// GetIdentity, GetQuote, Notify and DeliverKeyShare kind V need a verifier
// certificate, kind U an admin one. DeliverKeyShare and Notify are accepted
// and counted only: the simulator runs no payloads and no revocation
// actions (DeliverKeyShare checks the request's shape — kind, a 256-byte
// share, a 48-byte auth tag for U, nothing else for V — but does not decrypt
// the share, and answers key_recombined = false with a detail saying so;
// Notify needs a notice, does not verify its signature, and answers 0
// actions run).
//
// Thread-safe (counters are atomic; agents are thread-safe).
#ifndef CANDOR_TOOLS_AGENT_SIM_SIM_SERVICE_H_
#define CANDOR_TOOLS_AGENT_SIM_SIM_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "candor/v1/agent.grpc.pb.h"
#include "lib/rpc/auth.h"
#include "tools/agent_sim/virtual_agent.h"

namespace candor::agent_sim {

struct SimStats {
  std::atomic<uint64_t> get_identity{0};
  std::atomic<uint64_t> get_quote{0};      // answered with evidence
  std::atomic<uint64_t> quote_errors{0};   // refused (bad request, ...)
  std::atomic<uint64_t> unavailable{0};    // a stopped agent was called
  std::atomic<uint64_t> unknown_agent{0};  // :authority named no agent
  std::atomic<uint64_t> denied{0};         // wrong or missing role
  std::atomic<uint64_t> key_shares{0};
  std::atomic<uint64_t> notifies{0};
  std::atomic<uint64_t> ima_lines_sent{0};
};

using AgentDirectory = absl::flat_hash_map<std::string, VirtualAgent*>;

// The agent id an :authority value names ("sim-x-00001" or
// "sim-x-00001:9000").
absl::string_view AgentIdFromAuthority(absl::string_view authority);

class SimAgentService final : public v1::AgentService::Service {
 public:
  // None is owned; all must outlive the service.
  SimAgentService(const AgentDirectory& agents,
                  const rpc::Authorizer& authorizer, SimStats& stats)
      : agents_(agents), authorizer_(authorizer), stats_(stats) {}

  grpc::Status GetIdentity(grpc::ServerContext* context,
                           const v1::GetIdentityRequest* request,
                           v1::GetIdentityResponse* response) override;
  grpc::Status GetQuote(grpc::ServerContext* context,
                        const v1::GetQuoteRequest* request,
                        v1::GetQuoteResponse* response) override;
  grpc::Status DeliverKeyShare(grpc::ServerContext* context,
                               const v1::DeliverKeyShareRequest* request,
                               v1::DeliverKeyShareResponse* response) override;
  grpc::Status Notify(grpc::ServerContext* context,
                      const v1::NotifyRequest* request,
                      v1::NotifyResponse* response) override;

 private:
  // The role check, then the agent the call is for.
  absl::StatusOr<VirtualAgent*> Find(grpc::ServerContext& context,
                                     std::initializer_list<rpc::Role> roles,
                                     absl::string_view rpc);

  const AgentDirectory& agents_;
  const rpc::Authorizer& authorizer_;
  SimStats& stats_;
};

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_SIM_SERVICE_H_
