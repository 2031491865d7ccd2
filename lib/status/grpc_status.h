// File: lib/status/grpc_status.h
//
// The one mapping between absl::Status and grpc::Status. Both use the canonical
// codes, so the code is always kept (INVALID_ARGUMENT stays INVALID_ARGUMENT, never
// flattened to INTERNAL) and so is the message. Services call ToGrpcStatus() on
// every return; clients call FromGrpcStatus() on every reply, optionally naming
// the peer, so "connection refused" reads as "registrar 10.0.0.5:8890 unreachable"
// rather than as a missing agent.
#ifndef CANDOR_LIB_STATUS_GRPC_STATUS_H_
#define CANDOR_LIB_STATUS_GRPC_STATUS_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace candor {

// absl -> gRPC, code and message kept. OK maps to grpc::Status::OK.
grpc::Status ToGrpcStatus(const absl::Status& status);

// gRPC -> absl, code and message kept. When `call` is not empty the message is
// prefixed with it ("RegistrarService.GetAgent at 127.0.0.1:8890: ...").
absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view call = {});

}  // namespace candor

#endif  // CANDOR_LIB_STATUS_GRPC_STATUS_H_
