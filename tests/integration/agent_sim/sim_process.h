// File: tests/integration/agent_sim/sim_process.h  (testonly)
//
// The agent simulator as a child of the test with its stdin and stdout on
// pipes (tests/harness Subprocess has no stdin): the test writes commands
// and reads the answer lines. stderr (the log) goes to a file. The child
// gets SIGTERM when the test thread that started it exits
// (PR_SET_PDEATHSIG); the destructor stops it (SIGTERM, then SIGKILL after
// 5 s) and reaps it. Used from one thread.
#ifndef CANDOR_TESTS_INTEGRATION_AGENT_SIM_SIM_PROCESS_H_
#define CANDOR_TESTS_INTEGRATION_AGENT_SIM_SIM_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::testing {

class SimProcess {
 public:
  static absl::StatusOr<std::unique_ptr<SimProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path);
  ~SimProcess();

  pid_t pid() const { return pid_; }

  // Writes `line` and a newline to the child's stdin.
  absl::Status Send(const std::string& line);
  // The next stdout line (without newline). DEADLINE_EXCEEDED after
  // `timeout`; UNAVAILABLE when the child closed stdout (exited).
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);
  // Send + ReadLine.
  absl::StatusOr<std::string> Command(
      const std::string& line, absl::Duration timeout = absl::Seconds(10));
  // Waits for the child to exit; its wait status.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  SimProcess(pid_t pid, int in, int out) : pid_(pid), in_(in), out_(out) {}
  pid_t pid_;
  int in_, out_;
  std::string buffer_;
  std::optional<int> status_;
};

}  // namespace candor::testing

#endif  // CANDOR_TESTS_INTEGRATION_AGENT_SIM_SIM_PROCESS_H_
