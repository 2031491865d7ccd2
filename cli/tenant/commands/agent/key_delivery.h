// File: cli/tenant/commands/agent/key_delivery.h
//
// The tenant's half of the secure payload for `tenant agent add --payload`
// (DESIGN.md "Secure payload"): reads the payload (a file, or a directory
// packed as tar), fetches the agent's active registration from the registrar
// (GetRegisteredAgent: transport key, TLS certificate, address), splits a
// fresh K into U and V (lib/payload/key_split.h) and delivers U, wrapped to
// the transport key, with the auth tag and the encrypted payload to the
// agent's DeliverKeyShare (kind U). The agent is reached over mTLS with the
// tenant certificate, trusting only the agent's registered TLS certificate,
// with the agent id as the TLS target name (plaintext with --insecure).
// Returns V, for AddAgent.
//
// Errors: NOT_FOUND (payload path; agent not registered, worded as such),
// FAILED_PRECONDITION (the registration is not active yet), UNAVAILABLE
// "cannot reach the registrar/agent at ..." and the agent's own refusals,
// each naming the service and address.
#ifndef CANDOR_CLI_TENANT_COMMANDS_AGENT_KEY_DELIVERY_H_
#define CANDOR_CLI_TENANT_COMMANDS_AGENT_KEY_DELIVERY_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/tenant/command.h"
#include "lib/crypto/secret.h"

namespace candor::tenant {

struct KeyDeliveryRequest {
  std::string agent_id;
  std::string registrar;         // HOST:PORT
  std::string address_override;  // empty: the registered address
  std::string payload_path;      // file or directory
};

// Delivers U to the agent and returns V (32 bytes).
absl::StatusOr<crypto::SecretBytes> DeliverUShare(
    const CommandContext& ctx, const KeyDeliveryRequest& request);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_AGENT_KEY_DELIVERY_H_
