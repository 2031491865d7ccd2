// File: cli/tenant/commands/policy/policy_commands.h
//
// `tenant policy ...`: create and check runtime (IMA) policies offline, and
// manage named policies at the verifier.
//   tenant policy create (--dir PATH | --ima-log FILE) [--exclude REGEX]...
//                        [--algo sha256|sha1|sha384|sha512]
//       writes Keylime runtime-policy JSON (lib/policy/runtime/
//       policy_builder.h); the JSON is the command's output whatever -o
//       says (use the global --out FILE to write it atomically), and a
//       one-line summary plus warnings go to stderr.
//   tenant policy check --ima-log FILE --policy FILE [--pcr10 HEX]
//                       [--bank sha256|sha1|sha384|sha512]
//       replays and checks every entry (lib/policy/runtime/appraise.h) and
//       lists each failing one; -o json prints exactly
//       {"ok": bool, "entries": N, "failures": [{"line": n, "path": "...",
//        "id": "..."}]} (lines 1-based; 0 and "" for a log-wide failure such
//       as ima.pcr_mismatch). Warnings (ima.violation) go to stderr.
// At the verifier (VerifierService; --verifier HOST:PORT or
// $CANDOR_VERIFIER, errors worded by cli/tenant/service_client.h):
//   tenant policy add NAME --kind runtime|boot --file FILE
//       CreatePolicy with expected_sha256 computed locally.
//   tenant policy update NAME --file FILE      UpdatePolicy (next version).
//   tenant policy show NAME [--version N] [--content]
//       the version's metadata; with --content the document itself, as is.
//   tenant policy list [--kind runtime|boot]   every page.
//   tenant policy delete NAME
//   -o json prints the PolicyVersion's proto JSON with sha256 in hex.
// Exit codes: 0 ok, 1 failures found, 2 usage, 3 malformed file or value,
// 4 missing file (the file is named).
#ifndef CANDOR_CLI_TENANT_COMMANDS_POLICY_POLICY_COMMANDS_H_
#define CANDOR_CLI_TENANT_COMMANDS_POLICY_POLICY_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterPolicyCommands(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_POLICY_POLICY_COMMANDS_H_
