// File: cli/tenant/commands/bootlog/bootlog_commands.h
//
// `tenant bootlog ...`: inspect UEFI boot event logs and make boot reference
// states, offline (no server involved):
//   show FILE            the events (number, PCR, type, digests per bank,
//                        decoded details) and the replayed PCRs
//   refstate FILE        a measured-boot reference state the log passes
//                        (Keylime's `keylime-policy create measured-boot`)
//   check FILE           the log's integrity checks and, with --policy, a
//                        boot policy's verdict (exit 1 when it fails)
// FILE is the binary log or its base64 (auto-detected; --base64 forces).
// A missing file exits 4, an empty or malformed log 3 with the file name and
// byte offset, a failed check 1 (exit_codes.h).
#ifndef CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_BOOTLOG_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_BOOTLOG_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterBootlogCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_BOOTLOG_COMMANDS_H_
