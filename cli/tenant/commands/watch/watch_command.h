// File: cli/tenant/commands/watch/watch_command.h
//
// `tenant watch --verifier HOST:PORT [--from CURSOR | --from-oldest]
//   [--agent ID]... [--kind K,...] [--state S,...] [--min-severity SEV]
//   [--count N] [--until-state AGENT_ID=STATE]... [--heartbeats]`
// Streams WatchAttestations and prints one line per event (watch_format.h;
// -o json: one JSON object per line), flushed per event, to stdout or
// --out FILE. Heartbeats are printed only with --heartbeats.
//   - --count N: exit 0 after N events.
//   - --until-state A=S (repeatable): exit 0 once every named agent has
//     reached its state (already in it when a live watch starts counts:
//     checked with GetAgent).
//   - UNAVAILABLE, RESOURCE_EXHAUSTED or an ended stream: reconnects with
//     backoff (0.5 s doubling to 10 s) and resumes after the last cursor
//     received (event or heartbeat), saying so on stderr, forever. A first
//     connection that fails is "cannot reach the verifier" (exit 6).
//   - OUT_OF_RANGE: the resume cursor is older than the verifier's event
//     retention; the error says to use --from-oldest (exit 3).
//   - SIGINT/SIGTERM (Ctrl-C): exit 0.
// Bad --kind/--state/--min-severity/--until-state values: exit 3 naming the
// flag and listing valid values.
#ifndef CANDOR_CLI_TENANT_COMMANDS_WATCH_WATCH_COMMAND_H_
#define CANDOR_CLI_TENANT_COMMANDS_WATCH_WATCH_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/tenant/command.h"

namespace candor::tenant {

void RegisterWatchCommand(CLI::App& app, CommandRegistry& registry);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_WATCH_WATCH_COMMAND_H_
