#include "tools/reboot/swtpm_control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace candor::tools {

std::string SwtpmIoctlBinary(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* dir = std::getenv("CANDOR_SWTPM_BINDIR");
  if (dir != nullptr && *dir != '\0') return absl::StrCat(dir, "/swtpm_ioctl");
  return "swtpm_ioctl";
}

absl::StatusOr<std::string> RunProgram(const std::vector<std::string>& argv,
                                       absl::Duration timeout) {
  const std::string cmd = absl::StrJoin(argv, " ");
  int fds[2];
  if (argv.empty() || pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("running ", cmd, ": pipe failed"));
  }
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return absl::InternalError(absl::StrCat("running ", cmd, ": fork failed"));
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    execvp(args[0], args.data());
    const char* msg = "exec failed: ";
    (void)!write(2, msg, strlen(msg));
    (void)!write(2, strerror(errno), strlen(strerror(errno)));
    _exit(127);
  }
  close(fds[1]);
  std::string output;
  const absl::Time deadline = absl::Now() + timeout;
  bool timed_out = false;
  for (;;) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p = {fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(ms));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return absl::DeadlineExceededError(
        absl::StrCat(cmd, ": no answer within ", absl::FormatDuration(timeout),
                     "; ", output));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return absl::NotFoundError(absl::StrCat("cannot run ", cmd, ": ", output));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(
        cmd, " failed (",
        WIFEXITED(status) ? absl::StrCat("exit ", WEXITSTATUS(status))
                          : absl::StrCat("signal ", WTERMSIG(status)),
        "): ", output));
  }
  return output;
}

absl::Status SwtpmResetTpm(const std::string& swtpm_ioctl,
                           const std::string& control_address) {
  return RunProgram({swtpm_ioctl, "--tcp", control_address, "-i"},
                    absl::Seconds(10))
      .status();
}

}  // namespace candor::tools
