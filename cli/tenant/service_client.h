// File: cli/tenant/service_client.h
//
// The connection of an online tenant command to one Candor service (the
// verifier, the registrar, an agent), named by the flag that gave its
// address, and the one wording of RPC errors, so that every command says
// what to do:
//   - the service cannot be reached (connection refused, TLS handshake
//     failure, timeout while connecting): UNAVAILABLE "cannot reach the
//     verifier at HOST:PORT (is it running? --verifier): <detail>", never
//     anything that reads as "not found" (Keylime KL#297);
//   - the service answered UNAVAILABLE itself (its database, a replica
//     shutting down): "the verifier at HOST:PORT is unavailable (RPC):
//     <message>; retry";
//   - NOT_FOUND names what was not found ("agent node-3", "policy web");
//   - UNAUTHENTICATED / PERMISSION_DENIED say an admin certificate is needed;
//   - anything else: "verifier at HOST:PORT (RPC): <message>".
// Codes are kept, so exit_codes.h maps them (UNAVAILABLE → 6, NOT_FOUND → 4).
// Thread-compatible; ServiceClient is cheap to copy (the channel is shared).
#ifndef CANDOR_CLI_TENANT_SERVICE_CLIENT_H_
#define CANDOR_CLI_TENANT_SERVICE_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/tenant/command.h"

namespace candor::tenant {

class ServiceClient {
 public:
  // A channel to `address` as CommandContext::Dial makes it (mTLS with the
  // tenant certificate, or plaintext with --insecure). `service` is what the
  // user calls it ("verifier"), `flag` the option that gave the address
  // ("--verifier"). Errors: those of Dial (missing certificates).
  static absl::StatusOr<ServiceClient> Connect(const CommandContext& ctx,
                                               std::string service,
                                               std::string flag,
                                               std::string address);

  // As Connect, over an already made channel (pinned-certificate dials).
  ServiceClient(std::shared_ptr<grpc::Channel> channel, std::string service,
                std::string flag, std::string address);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  const std::string& address() const { return address_; }

  // The Status of a finished call of `rpc` ("AddAgent"), worded as above.
  // `subject` names what the call was about ("agent node-3"), for NOT_FOUND;
  // empty: the server's message only.
  absl::Status Check(const grpc::Status& status, absl::string_view rpc,
                     absl::string_view subject = {}) const;

  // The "cannot reach" status, for callers that detect it themselves.
  absl::Status Unreachable(absl::string_view detail) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string service_;
  std::string flag_;
  std::string address_;
};

// Adds the required `--verifier HOST:PORT` option (default from
// $CANDOR_VERIFIER) to `cmd`.
CLI::Option* AddVerifierOption(CLI::App* cmd, std::string* address);

// Connects to the verifier given by --verifier.
absl::StatusOr<ServiceClient> ConnectVerifier(const CommandContext& ctx,
                                              const std::string& address);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_SERVICE_CLIENT_H_
