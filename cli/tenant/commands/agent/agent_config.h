// File: cli/tenant/commands/agent/agent_config.h
//
// The configuration flags shared by `tenant agent add` and `agent update`,
// and their translation into a candor.v1.Agent plus the FieldMask of what
// was given:
//   --address HOST:PORT            "address"
//   --runtime-policy NAME[@VER]    "runtime_policy"  ("" = none)
//   --boot-policy NAME[@VER]       "boot_policy"     ("" = none)
//   --quote-interval 2s            "quote_interval"  (absl duration syntax)
//   --pcr-policy FILE              "static_pcr_policy", JSON
//                                  {"sha256": {"15": ["hex", ...]}, ...}
//   --pcrs BANK:I,J,... (repeat)   "pcr_selections"
//   --metadata KEY=VALUE (repeat)  "metadata" (replaces the whole map)
// Only flags given on the command line are applied and named in the mask.
// Errors are INVALID_ARGUMENT naming the flag and, for the PCR policy file,
// the JSON field ("--pcr-policy p.json: sha256.15[1]: 31 bytes, a sha256
// digest has 32"). Thread-compatible.
#ifndef CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_CONFIG_H_
#define CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_CONFIG_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/verifier.pb.h"
#include "google/protobuf/field_mask.pb.h"

namespace candor::tenant {

struct AgentConfigFlags {
  std::string address;
  std::string runtime_policy;
  std::string boot_policy;
  std::string quote_interval;
  std::string pcr_policy_file;
  std::vector<std::string> pcrs;
  std::vector<std::string> metadata;
  // The options, to tell which were given (set by AddAgentConfigOptions).
  CLI::Option* address_opt = nullptr;
  CLI::Option* runtime_policy_opt = nullptr;
  CLI::Option* boot_policy_opt = nullptr;
  CLI::Option* quote_interval_opt = nullptr;
  CLI::Option* pcr_policy_opt = nullptr;
  CLI::Option* pcrs_opt = nullptr;
  CLI::Option* metadata_opt = nullptr;
};

// Adds the options above to `cmd`; `flags` must outlive it.
void AddAgentConfigOptions(CLI::App* cmd, AgentConfigFlags* flags);

// Sets the fields of the given flags in `agent` and adds their paths to
// `mask` (may be null).
absl::Status ApplyAgentConfig(const AgentConfigFlags& flags, v1::Agent* agent,
                              google::protobuf::FieldMask* mask);

// The pieces, for tests. `flag` prefixes error messages.
absl::StatusOr<v1::PolicyRef> ParsePolicyRef(absl::string_view flag,
                                             absl::string_view text);
absl::StatusOr<google::protobuf::Duration> ParseInterval(
    absl::string_view flag, absl::string_view text);
// `source` names the document in errors ("--pcr-policy FILE").
absl::StatusOr<v1::StaticPcrPolicy> ParseStaticPcrPolicy(
    absl::string_view source, absl::string_view json_text);
absl::StatusOr<std::vector<v1::PcrSelection>> ParsePcrSelections(
    const std::vector<std::string>& specs);
absl::Status ParseMetadata(
    const std::vector<std::string>& pairs,
    google::protobuf::Map<std::string, std::string>* out);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_AGENT_AGENT_CONFIG_H_
