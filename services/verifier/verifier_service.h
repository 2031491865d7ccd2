// File: services/verifier/verifier_service.h
//
// The gRPC adapter for candor.v1.VerifierService (protos/candor/v1/verifier.proto).
// It stays thin: each RPC checks its input, calls the domain library and maps
// the result with candor::ToGrpcStatus. This first version registers the
// service so the server, health and reflection run end to end; every RPC
// answers UNIMPLEMENTED until its issue implements it.
#ifndef CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_H_
#define CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_H_

#include "candor/v1/verifier.grpc.pb.h"

namespace candor::verifier {

class VerifierServiceImpl final : public candor::v1::VerifierService::Service {};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_VERIFIER_SERVICE_H_
