// File: services/agent/agent_service.h
//
// The gRPC adapter for candor.v1.AgentService (protos/candor/v1/agent.proto).
// It stays thin: each RPC checks its input, calls the domain library and maps
// the result with candor::ToGrpcStatus. This first version registers the
// service so the server, health and reflection run end to end; every RPC
// answers UNIMPLEMENTED until its issue implements it.
#ifndef CANDOR_SERVICES_AGENT_AGENT_SERVICE_H_
#define CANDOR_SERVICES_AGENT_AGENT_SERVICE_H_

#include "candor/v1/agent.grpc.pb.h"

namespace candor::agent {

class AgentServiceImpl final : public candor::v1::AgentService::Service {};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_AGENT_SERVICE_H_
