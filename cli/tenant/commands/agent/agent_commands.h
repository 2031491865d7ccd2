// File: cli/tenant/commands/agent/agent_commands.h
//
// `tenant agent ...`: agents at the verifier (VerifierService).
//   add AGENT_ID --verifier HOST:PORT [config flags, agent_config.h]
//       [--registrar HOST:PORT --payload FILE|DIR]
//       AddAgent; with --payload first delivers the U share and the payload
//       to the agent (key_delivery.h) and sends V with AddAgent.
//   update AGENT_ID --verifier ... [config flags]
//       UpdateAgent with the FieldMask of the flags given (none: usage
//       error, exit 2).
//   status|stop|reactivate AGENT_ID --verifier ...
//   delete AGENT_ID --verifier ...
//   list --verifier ... [--state S,...] [--page-size N] [--page-token T]
//       follows next_page_token to the end; with --page-token (may be ""
//       for the first page) prints that one page and its next_page_token.
// Output: the agent(s) as the verifier returned them (agent_view.h); list
// -o json prints {"agents": [...], "next_page_token": "..."}; delete prints
// {"deleted": "AGENT_ID"}. Errors through service_client.h wording.
#ifndef CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterAgentCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_COMMANDS_H_
