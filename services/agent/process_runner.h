// File: services/agent/process_runner.h
//
// Child processes the agent starts: the secure payload's autorun.sh (started
// and left running, reaped by a background thread) and revocation actions (run
// to completion with a timeout). Both use posix_spawn (safe in the
// multi-threaded agent), an empty signal mask and default dispositions for
// the termination signals and SIGPIPE in the child, no inherited descriptor
// beyond 0-2, and the agent's environment plus `extra_env`.
//
// Thread-safe: nothing is shared between calls. RunWithTimeout blocks the
// calling thread only.
#ifndef CANDOR_SERVICES_AGENT_PROCESS_RUNNER_H_
#define CANDOR_SERVICES_AGENT_PROCESS_RUNNER_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace candor::agent {

struct ProcessSpec {
  std::vector<std::string> argv;       // argv[0]: the program's path
  std::vector<std::string> extra_env;  // "NAME=value", added to the agent's
  std::string cwd;                     // empty: the agent's
};

// Starts `spec` with stdin from /dev/null and stdout and stderr appended to
// `log_path` (created 0600). Does not wait: a detached thread reaps the child
// and logs its exit status under `what`. Returns the child's pid, or INTERNAL
// naming the program if it could not be started.
absl::StatusOr<pid_t> StartDetached(const ProcessSpec& spec,
                                    const std::string& log_path,
                                    const std::string& what);

struct RunResult {
  bool timed_out = false;  // killed (SIGKILL to its process group)
  int exit_code = -1;      // when it exited normally
  int term_signal = 0;     // when a signal ended it
  bool ok() const { return !timed_out && term_signal == 0 && exit_code == 0; }
};

// Runs `spec` in its own process group with `stdin_data` on stdin (the pipe
// is closed after it; a child that does not read it is fine) and stdout and
// stderr inherited, and waits up to `timeout`; then kills the whole group.
// INTERNAL naming the program if it could not be started.
absl::StatusOr<RunResult> RunWithTimeout(const ProcessSpec& spec,
                                         absl::string_view stdin_data,
                                         absl::Duration timeout);

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_PROCESS_RUNNER_H_
