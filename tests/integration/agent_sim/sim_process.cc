#include "tests/integration/agent_sim/sim_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace candor::testing {

absl::StatusOr<std::unique_ptr<SimProcess>> SimProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path) {
  if (argv.empty() || access(argv[0].c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("not executable: ", argv.empty() ? "" : argv[0]));
  }
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  const int log =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) {
    return absl::InternalError(
        absl::StrCat("open ", log_path, ": ", strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0)
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(log, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(log);
  signal(SIGPIPE, SIG_IGN);
  return std::unique_ptr<SimProcess>(new SimProcess(pid, in[1], out[0]));
}

SimProcess::~SimProcess() {
  close(in_);
  close(out_);
  if (!status_) {
    kill(pid_, SIGTERM);
    if (!Wait(absl::Seconds(5)).ok()) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
  }
}

absl::Status SimProcess::Send(const std::string& line) {
  const std::string data = line + "\n";
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(in_, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("writing to the simulator: ", strerror(errno)));
    }
    off += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SimProcess::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no line from the simulator within ", absl::FormatDuration(timeout),
          " (partial: \"", buffer_, "\")"));
    }
    pollfd p = {out_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = read(out_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("the simulator closed stdout");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> SimProcess::Command(const std::string& line,
                                                absl::Duration timeout) {
  absl::Status s = Send(line);
  if (!s.ok()) return s;
  return ReadLine(timeout);
}

absl::StatusOr<int> SimProcess::Wait(absl::Duration timeout) {
  if (status_) return *status_;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = st;
      return st;
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("the simulator did not exit");
    }
    absl::SleepFor(absl::Milliseconds(10));  // polling waitpid
  }
}

}  // namespace candor::testing
