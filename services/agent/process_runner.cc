#include "services/agent/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace candor::agent {
namespace {

// RAII for the posix_spawn attribute objects.
class SpawnSetup {
 public:
  explicit SpawnSetup(bool new_group) {
    posix_spawn_file_actions_init(&actions_);
    posix_spawnattr_init(&attr_);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) {
      sigaddset(&defaults, sig);
    }
    posix_spawnattr_setsigmask(&attr_, &none);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;  // NOLINT
    if (new_group) {
      flags |= POSIX_SPAWN_SETPGROUP;
      posix_spawnattr_setpgroup(&attr_, 0);
    }
    posix_spawnattr_setflags(&attr_, flags);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  posix_spawn_file_actions_t* actions() { return &actions_; }

  // Spawns; the environment is the agent's plus `extra`.
  absl::StatusOr<pid_t> Spawn(const ProcessSpec& spec) {
    if (spec.argv.empty()) return absl::InvalidArgumentError("no program");
    if (!spec.cwd.empty()) {
      posix_spawn_file_actions_addchdir_np(&actions_, spec.cwd.c_str());
    }
    posix_spawn_file_actions_addclosefrom_np(&actions_, 3);
    std::vector<char*> argv;
    for (const std::string& a : spec.argv)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e)
      env.push_back(*e);
    for (const std::string& e : spec.extra_env)
      env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);
    pid_t pid = 0;
    const int rc =
        posix_spawn(&pid, argv[0], &actions_, &attr_, argv.data(), env.data());
    if (rc != 0) {
      return absl::InternalError(
          absl::StrCat("starting ", spec.argv[0], ": ", std::strerror(rc)));
    }
    return pid;
  }

 private:
  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attr_;
};

std::string DescribeStatus(int status) {
  if (WIFEXITED(status))
    return absl::StrCat("exit status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

int PidfdOpen(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

absl::StatusOr<pid_t> StartDetached(const ProcessSpec& spec,
                                    const std::string& log_path,
                                    const std::string& what) {
  SpawnSetup setup(/*new_group=*/true);
  posix_spawn_file_actions_addopen(setup.actions(), 0, "/dev/null", O_RDONLY,
                                   0);
  posix_spawn_file_actions_addopen(setup.actions(), 1, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(setup.actions(), 1, 2);
  absl::StatusOr<pid_t> pid = setup.Spawn(spec);
  if (!pid.ok()) return pid.status();
  std::thread([pid = *pid, what] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    spdlog::info("{} (pid {}) ended: {}", what, pid, DescribeStatus(status));
  }).detach();
  return *pid;
}

namespace {

// Blocks SIGPIPE on this thread while alive; a SIGPIPE raised by writing to
// a child that closed its stdin is consumed before unblocking, so the agent
// never dies of it (the write just fails with EPIPE).
class ScopedBlockSigpipe {
 public:
  ScopedBlockSigpipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedBlockSigpipe() {
    sigset_t pending;
    sigemptyset(&pending);
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero = {0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_, old_;
};

}  // namespace

absl::StatusOr<RunResult> RunWithTimeout(const ProcessSpec& spec,
                                         absl::string_view stdin_data,
                                         absl::Duration timeout) {
  ScopedBlockSigpipe no_sigpipe;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  SpawnSetup setup(/*new_group=*/true);
  posix_spawn_file_actions_adddup2(setup.actions(), fds[0], 0);
  absl::StatusOr<pid_t> spawned = setup.Spawn(spec);
  ::close(fds[0]);
  if (!spawned.ok()) {
    ::close(fds[1]);
    return spawned.status();
  }
  const pid_t pid = *spawned;
  int in = fds[1];
  ::fcntl(in, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (stdin_data.empty()) {
    ::close(in);
    in = -1;
  }
  const int pidfd = PidfdOpen(pid);
  const absl::Time deadline = absl::Now() + timeout;
  RunResult result;
  int status = 0;
  for (;;) {
    // Feed stdin while the child takes it.
    while (in >= 0 && written < stdin_data.size()) {
      ssize_t n =
          ::write(in, stdin_data.data() + written, stdin_data.size() - written);
      if (n > 0) {
        written += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        if (n < 0 && errno == EAGAIN) break;
        written = stdin_data.size();  // EPIPE: the child closed stdin
      }
    }
    if (in >= 0 && written >= stdin_data.size()) {
      ::close(in);
      in = -1;
    }
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      result.timed_out = true;
      break;
    }
    pollfd pfds[2];
    nfds_t n = 0;
    if (pidfd >= 0) pfds[n++] = {pidfd, POLLIN, 0};
    if (in >= 0) pfds[n++] = {in, POLLOUT, 0};
    // Without a pidfd (old kernels) poll in short steps.
    const int64_t ms = std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1,
                                         pidfd >= 0 ? 60000 : 20);
    ::poll(pfds, n, static_cast<int>(ms));
  }
  if (in >= 0) ::close(in);
  if (pidfd >= 0) ::close(pidfd);
  if (!result.timed_out) {
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace candor::agent
