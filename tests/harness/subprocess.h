// File: tests/harness/subprocess.h
//
// Child processes for tests: started as direct children that die with the test
// (PR_SET_PDEATHSIG=SIGTERM), optionally as another user, with chosen file
// descriptors inherited, and stopped by PID with waitpid (never by pid files:
// a re-parented daemon lingers as a zombie, notes/tpm.md §1).
//
// Thread-safety: a Subprocess is used from one thread. Start children from a
// thread that outlives them (PDEATHSIG fires when the *thread* that forked exits);
// gtest fixtures and test bodies run on the main thread, which qualifies.
#ifndef CANDOR_TESTS_HARNESS_SUBPROCESS_H_
#define CANDOR_TESTS_HARNESS_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::testing {

struct SubprocessOptions {
  std::vector<std::string> argv;        // argv[0] is an absolute path
  std::vector<std::string> extra_env;   // "NAME=value" set, "NAME" removed
  std::optional<std::string> run_as;    // user name; needs root
  std::vector<int> inherit_fds;         // kept open (CLOEXEC cleared) in the child
  std::string stdout_path;              // empty: /dev/null; stderr goes to the same file
  std::string working_dir;              // empty: unchanged
};

class Subprocess {
 public:
  // Forks and execs. Fails if the binary is missing or not executable (checked
  // before forking, so the message names it) or if fork fails.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const SubprocessOptions& options);

  // Stops the child (SIGTERM, then SIGKILL after 5 s) if still running.
  ~Subprocess();

  pid_t pid() const { return pid_; }

  // True while the child has not exited (reaps it if it has).
  bool Running();

  // Sends `sig`, waits up to `grace` for exit, then SIGKILL. Returns the exit
  // status as waitpid reports it.
  int Stop(int sig = 15, absl::Duration grace = absl::Seconds(5));

  // Waits for exit up to `timeout`; DEADLINE_EXCEEDED if still running.
  // Returns the raw wait status.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  explicit Subprocess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> exit_status_;
};

// Runs a command to completion (as Start, then Wait). Returns OK only if it
// exited with status 0; otherwise an error naming the command, its exit status
// and the tail of its output file.
absl::Status RunCommand(const SubprocessOptions& options,
                        absl::Duration timeout = absl::Seconds(60));

// Runs a command to completion with its stdout and stderr captured in a file
// under $TEST_TMPDIR (or /tmp). exit_code is -1 if it could not be started or
// did not finish within `timeout` (then it is killed and `output` says why).
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult RunAndCapture(const std::vector<std::string>& argv,
                            absl::Duration timeout = absl::Seconds(60),
                            const std::vector<std::string>& extra_env = {});

// Describes a waitpid status: "exit 1", "signal 9".
std::string DescribeWaitStatus(int status);

// Last `max_bytes` of a text file, for error messages ("" if unreadable).
std::string FileTail(const std::string& path, size_t max_bytes = 2000);

}  // namespace candor::testing

#endif  // CANDOR_TESTS_HARNESS_SUBPROCESS_H_
