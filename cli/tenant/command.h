// File: cli/tenant/command.h
//
// Subcommand registration. Each command group has a
//   void RegisterFooCommands(CLI::App& parent, CommandRegistry& registry);
// that adds its CLI11 subcommands and options and, for each leaf command,
// calls registry.Bind(sub, action). After parsing, main() runs the one action
// that was selected with the global options in CommandContext, and turns its
// status into the exit code (exit_codes.h) and an error line on stderr.
#ifndef CANDOR_CLI_TENANT_COMMAND_H_
#define CANDOR_CLI_TENANT_COMMAND_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/tenant/output.h"

namespace candor::tenant {

// Global options, filled by CLI11 before any action runs.
struct CommandContext {
  std::string output_format = "table";  // -o/--output
  std::string out_path;                 // --out
  bool insecure = false;                // --insecure (local debugging only)
  double timeout_seconds = 10;          // --timeout, per RPC
  std::string certs_dir;                // --certs (ca.crt, tenant.crt/.key)

  // The Output for this run (valid once options are parsed).
  Output MakeOutput() const;

  // A channel to a Candor server: mTLS with the tenant certificate from
  // certs_dir (trusting its ca.crt), or plaintext with --insecure. Errors
  // name the missing file and say how to create it.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Dial(
      const std::string& address) const;

  // The deadline for one RPC (now + --timeout).
  std::chrono::system_clock::time_point Deadline() const;
};

// The default for --certs: $CANDOR_CERTS_DIR, else $HOME/.candor/certs.
std::string DefaultCertsDir();

using CommandAction = std::function<absl::Status(const CommandContext&)>;

class CommandRegistry {
 public:
  // Runs `action` when `sub` is the command given on the command line.
  void Bind(CLI::App* sub, CommandAction action);

  // The action selected by the parse (null if a group was given without a
  // leaf command).
  const CommandAction* selected() const { return selected_.get(); }

 private:
  std::shared_ptr<CommandAction> selected_;
};

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMAND_H_
