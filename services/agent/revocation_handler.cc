#include "services/agent/revocation_handler.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "lib/log/log.h"
#include "lib/revocation/notice.h"
#include "lib/status/status_macros.h"
#include "services/agent/process_runner.h"

namespace candor::agent {
namespace {

// The executable regular files of `dir`, sorted by name.
std::vector<std::string> ListActions(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.') names.push_back(name);
  }
  if (ec) spdlog::warn("revocation actions: listing {}: {}", dir, ec.message());
  std::sort(names.begin(), names.end());
  std::vector<std::string> actions;
  for (const std::string& name : names) {
    const std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      spdlog::warn("revocation actions: {} is not a regular file; skipped",
                   path);
      continue;
    }
    if (::access(path.c_str(), X_OK) != 0) {
      spdlog::warn("revocation actions: {} is not executable; skipped", path);
      continue;
    }
    actions.push_back(path);
  }
  return actions;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RevocationHandler>> RevocationHandler::Create(
    RevocationConfig config, std::optional<crypto::CaStore> ca) {
  if (!config.actions_dir.empty()) {
    struct stat st;
    if (::stat(config.actions_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--revocation_actions_dir ", config.actions_dir,
                       " is not a directory"));
    }
  }
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<NoticeCursors> cursors,
                        NoticeCursors::Load(config.cursors_path));
  return std::unique_ptr<RevocationHandler>(new RevocationHandler(
      std::move(config), std::move(ca), std::move(cursors)));
}

absl::StatusOr<v1::NotifyResponse> RevocationHandler::Notify(
    const v1::RevocationNotice& notice) {
  if (!ca_.has_value()) {
    return absl::FailedPreconditionError(
        "AgentService.Notify: the agent has no CA certificate (--ca) to verify "
        "revocation notices with");
  }
  ABSL_ASSIGN_OR_RETURN(v1::RevocationMessage message,
                        revocation::VerifyNotice(notice, *ca_));
  v1::NotifyResponse response;
  ABSL_ASSIGN_OR_RETURN(bool fresh, cursors_->Record(message.event_cursor()),
                        _ << "recording revocation cursor");
  if (!fresh) {
    spdlog::info("revocation notice for {} (cursor {}) already acted on",
                 message.agent_id(), message.event_cursor());
    response.set_duplicate(true);
    return response;
  }
  spdlog::warn("revocation notice: agent {} at {} failed (cursor {}, {})",
               message.agent_id(), message.address(), message.event_cursor(),
               v1::Severity_Name(message.severity()));
  if (config_.actions_dir.empty()) {
    spdlog::info(
        "revocation notice: no --revocation_actions_dir, no actions run");
    return response;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    return absl::InternalError("revocation notice: converting to JSON failed");
  }
  json.push_back('\n');
  ProcessSpec spec;
  spec.cwd = config_.actions_dir;
  spec.extra_env = {
      absl::StrCat("CANDOR_REVOKED_AGENT_ID=", message.agent_id()),
      absl::StrCat("CANDOR_REVOKED_ADDRESS=", message.address()),
      absl::StrCat("CANDOR_EVENT_CURSOR=", message.event_cursor()),
      absl::StrCat("CANDOR_SEVERITY=", v1::Severity_Name(message.severity()))};
  uint32_t run = 0, failed = 0;
  for (const std::string& action : ListActions(config_.actions_dir)) {
    spec.argv = {action};
    absl::StatusOr<RunResult> r =
        RunWithTimeout(spec, json, config_.action_timeout);
    if (!r.ok()) {
      ++failed;
      spdlog::error("revocation action {}: {}", action, r.status());
    } else if (r->ok()) {
      ++run;
      spdlog::info("revocation action {}: done", action);
    } else {
      ++failed;
      spdlog::error(
          "revocation action {}: {}", action,
          r->timed_out
              ? absl::StrCat("killed after ",
                             absl::FormatDuration(config_.action_timeout))
          : r->term_signal != 0
              ? absl::StrCat("killed by signal ", r->term_signal)
              : absl::StrCat("exit status ", r->exit_code));
    }
  }
  response.set_actions_run(run);
  response.set_actions_failed(failed);
  return response;
}

}  // namespace candor::agent
