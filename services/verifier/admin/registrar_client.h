// File: services/verifier/admin/registrar_client.h
//
// How the verifier reads an agent's registration from the registrar
// (registrar.proto RegistrarService.GetRegisteredAgent) when an operator adds
// the agent (verifier.proto AddAgent). RegistrarClient is the interface the
// admin logic uses; GrpcRegistrarClient dials the registrar with the
// verifier's client TLS configuration (lib/rpc/tls.h); FakeRegistrarClient
// (fake_registrar_client.h) serves tests.
//
// GetRegisteredAgent returns the registration in whatever state it is
// (pending or active: the caller decides) or, mapped for VerifierService's
// callers:
//   - UNAVAILABLE "registrar at X unreachable: ..." for UNAVAILABLE and
//     DEADLINE_EXCEEDED (retry);
//   - FAILED_PRECONDITION "agent X is not registered at the registrar" for
//     NOT_FOUND;
//   - INTERNAL naming the registrar for UNAUTHENTICATED / PERMISSION_DENIED
//     (the verifier's own client certificate was refused: a deployment
//     error, not the caller's);
//   - any other code kept, the message prefixed with the registrar address.
// Thread-safe (a gRPC channel is shared by all calls).
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_REGISTRAR_CLIENT_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_REGISTRAR_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "lib/rpc/tls.h"

namespace candor::verifier {

class RegistrarClient {
 public:
  virtual ~RegistrarClient() = default;
  virtual absl::StatusOr<v1::RegisteredAgent> GetRegisteredAgent(
      absl::string_view agent_id) = 0;
};

// Maps a registrar call's gRPC status as the header comment says. Exposed
// for tests.
absl::Status MapRegistrarError(const grpc::Status& status,
                               absl::string_view registrar_address,
                               absl::string_view agent_id);

class GrpcRegistrarClient final : public RegistrarClient {
 public:
  // `tls` null = plaintext (--insecure only). Dials lazily (gRPC channels
  // connect on first use), so construction never fails.
  GrpcRegistrarClient(std::string address, const rpc::TlsClientConfig* tls,
                      absl::Duration timeout = absl::Seconds(10));

  absl::StatusOr<v1::RegisteredAgent> GetRegisteredAgent(
      absl::string_view agent_id) override;

 private:
  const std::string address_;
  const absl::Duration timeout_;
  std::unique_ptr<v1::RegistrarService::Stub> stub_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_REGISTRAR_CLIENT_H_
