// File: services/agent/revocation_handler.h
//
// AgentService.Notify's logic: verify a signed revocation notice against the
// Candor CA the agent trusts (lib/revocation VerifyNotice), drop one whose
// event_cursor was already acted on (NoticeCursors), then run every executable
// regular file of the actions directory, sorted by name, one after another:
//   stdin   the RevocationMessage as one line of proto JSON
//           (MessageToJsonString, field names in lowerCamelCase) and "\n"
//   env     CANDOR_REVOKED_AGENT_ID, CANDOR_REVOKED_ADDRESS,
//           CANDOR_EVENT_CURSOR, CANDOR_SEVERITY (e.g. "SEVERITY_CRITICAL")
//   cwd     the actions directory
// each killed (with its process group) after `action_timeout`. Entries that
// are not executable regular files (after following symlinks) are skipped
// with a warning; names starting with "." are ignored. With no actions
// directory the notice is acknowledged with actions_run = 0 (and logged).
//
// The cursor is recorded before the actions run, so a duplicate arriving
// meanwhile runs nothing. Thread-safe: no lock is held while actions run;
// concurrent notices run their actions concurrently.
#ifndef CANDOR_SERVICES_AGENT_REVOCATION_HANDLER_H_
#define CANDOR_SERVICES_AGENT_REVOCATION_HANDLER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "candor/v1/agent.pb.h"
#include "lib/crypto/x509.h"
#include "services/agent/notice_cursors.h"

namespace candor::agent {

struct RevocationConfig {
  std::string actions_dir;  // empty: no actions
  absl::Duration action_timeout = absl::Seconds(30);
  std::string cursors_path;  // the NoticeCursors file
};

class RevocationHandler {
 public:
  // `ca`: the Candor CA (nullopt when the agent runs --insecure without --ca:
  // every notice is then FAILED_PRECONDITION). Errors: the cursor file cannot
  // be read; the actions directory is set but is not a directory.
  static absl::StatusOr<std::unique_ptr<RevocationHandler>> Create(
      RevocationConfig config, std::optional<crypto::CaStore> ca);

  // Errors as AgentService.Notify lists them (INVALID_ARGUMENT,
  // PERMISSION_DENIED); INTERNAL if the cursor could not be persisted (the
  // actions still ran).
  absl::StatusOr<v1::NotifyResponse> Notify(const v1::RevocationNotice& notice);

 private:
  RevocationHandler(RevocationConfig config, std::optional<crypto::CaStore> ca,
                    std::unique_ptr<NoticeCursors> cursors)
      : config_(std::move(config)),
        ca_(std::move(ca)),
        cursors_(std::move(cursors)) {}

  const RevocationConfig config_;
  const std::optional<crypto::CaStore> ca_;
  const std::unique_ptr<NoticeCursors> cursors_;
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_REVOCATION_HANDLER_H_
