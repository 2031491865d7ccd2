// File: services/registrar/registrar_service.h
//
// The gRPC adapter for candor.v1.RegistrarService (protos/candor/v1/registrar.proto).
// It stays thin: each RPC checks its input, calls the domain library and maps
// the result with candor::ToGrpcStatus. This first version registers the
// service so the server, health and reflection run end to end; every RPC
// answers UNIMPLEMENTED until its issue implements it.
#ifndef CANDOR_SERVICES_REGISTRAR_REGISTRAR_SERVICE_H_
#define CANDOR_SERVICES_REGISTRAR_REGISTRAR_SERVICE_H_

#include "candor/v1/registrar.grpc.pb.h"

namespace candor::registrar {

class RegistrarServiceImpl final : public candor::v1::RegistrarService::Service {};

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_REGISTRAR_SERVICE_H_
