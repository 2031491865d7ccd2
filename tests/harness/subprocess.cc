#include "tests/harness/subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

namespace candor::testing {
namespace {

// Everything the child needs, prepared before fork: after fork only
// async-signal-safe calls are made.
struct ChildPlan {
  std::vector<std::string> argv_storage, env_storage;
  std::vector<char*> argv, envp;
  int out_fd = -1;
  uid_t uid = 0;
  gid_t gid = 0;
  bool switch_user = false;
  std::vector<int> inherit_fds;
  std::string working_dir;
  pid_t parent = 0;
};

[[noreturn]] void ChildExec(const ChildPlan& plan) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != plan.parent) _exit(127);  // parent died before prctl
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  if (plan.out_fd >= 0) {
    dup2(plan.out_fd, 1);
    dup2(plan.out_fd, 2);
  }
  for (int fd : plan.inherit_fds) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  if (plan.switch_user) {
    if (setgroups(0, nullptr) != 0 || setgid(plan.gid) != 0 ||
        setuid(plan.uid) != 0) {
      _exit(126);
    }
  }
  if (!plan.working_dir.empty() && chdir(plan.working_dir.c_str()) != 0) {
    _exit(125);
  }
  execve(plan.argv[0], plan.argv.data(), plan.envp.data());
  _exit(127);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const SubprocessOptions& options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("empty argv");
  const std::string& bin = options.argv[0];
  if (access(bin.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(bin, ": not found or not executable (", strerror(errno),
                     ")"));
  }
  ChildPlan plan;
  plan.argv_storage = options.argv;
  for (auto& a : plan.argv_storage) plan.argv.push_back(a.data());
  plan.argv.push_back(nullptr);
  // extra_env entries replace inherited ones; "NAME" alone removes NAME.
  auto name_of = [](const std::string& e) { return e.substr(0, e.find('=')); };
  std::set<std::string> overridden;
  for (const auto& e : options.extra_env) overridden.insert(name_of(e));
  for (char** e = environ; *e != nullptr; ++e) {
    if (overridden.count(name_of(*e)) == 0) plan.env_storage.push_back(*e);
  }
  for (const auto& e : options.extra_env) {
    if (e.find('=') != std::string::npos) plan.env_storage.push_back(e);
  }
  for (auto& e : plan.env_storage) plan.envp.push_back(e.data());
  plan.envp.push_back(nullptr);
  plan.inherit_fds = options.inherit_fds;
  plan.working_dir = options.working_dir;
  plan.parent = getpid();
  if (options.run_as.has_value()) {
    struct passwd* pw = getpwnam(options.run_as->c_str());
    if (pw == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("user '", *options.run_as, "' does not exist"));
    }
    plan.uid = pw->pw_uid;
    plan.gid = pw->pw_gid;
    plan.switch_user = plan.uid != getuid();
  }
  std::string out = options.stdout_path.empty() ? "/dev/null"
                                                : options.stdout_path;
  plan.out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                     0644);
  if (plan.out_fd < 0) {
    return absl::InternalError(
        absl::StrCat("open ", out, ": ", strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(plan.out_fd);
    return absl::InternalError(absl::StrCat("fork: ", strerror(err)));
  }
  if (pid == 0) ChildExec(plan);
  close(plan.out_fd);
  return std::unique_ptr<Subprocess>(new Subprocess(pid));
}

Subprocess::~Subprocess() {
  if (!exit_status_.has_value()) Stop();
}

bool Subprocess::Running() {
  if (exit_status_.has_value()) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = status;
    return false;
  }
  return r == 0;
}

absl::StatusOr<int> Subprocess::Wait(absl::Duration timeout) {
  if (exit_status_.has_value()) return *exit_status_;
  absl::Time deadline = absl::Now() + timeout;
  // A pidfd becomes readable when the child exits: poll() on it waits without
  // sleeping or spinning (Linux >= 5.3).
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      if (pidfd >= 0) close(pidfd);
      exit_status_ = status;
      return status;
    }
    if (r < 0 && errno != EINTR) {
      int err = errno;
      if (pidfd >= 0) close(pidfd);
      return absl::InternalError(absl::StrCat("waitpid: ", strerror(err)));
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      if (pidfd >= 0) close(pidfd);
      return absl::DeadlineExceededError(absl::StrCat(
          "pid ", pid_, " still running after ", absl::FormatDuration(timeout)));
    }
    int ms = static_cast<int>(absl::ToInt64Milliseconds(left)) + 1;
    if (pidfd >= 0) {
      struct pollfd pfd = {pidfd, POLLIN, 0};
      poll(&pfd, 1, ms);
    } else {
      // No pidfd (old kernel): fall back to a short bounded pause.
      absl::SleepFor(std::min(left, absl::Milliseconds(10)));
    }
  }
}

int Subprocess::Stop(int sig, absl::Duration grace) {
  if (exit_status_.has_value()) return *exit_status_;
  kill(pid_, sig);
  absl::StatusOr<int> st = Wait(grace);
  if (st.ok()) return *st;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_status_ = status;
  return status;
}

CommandResult RunAndCapture(const std::vector<std::string>& argv,
                            absl::Duration timeout,
                            const std::vector<std::string>& extra_env) {
  static std::atomic<int> counter{0};
  const char* tmp = std::getenv("TEST_TMPDIR");
  SubprocessOptions o;
  o.argv = argv;
  o.extra_env = extra_env;
  o.stdout_path = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/run.", getpid(),
                               ".", counter++, ".out");
  CommandResult r;
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start(o);
  if (!p.ok()) {
    r.output = std::string(p.status().message());
    return r;
  }
  absl::StatusOr<int> st = (*p)->Wait(timeout);
  if (!st.ok()) {
    (*p)->Stop(SIGKILL);
    r.output = absl::StrCat(st.status().message(), "\n",
                            FileTail(o.stdout_path, 1 << 22));
    return r;
  }
  r.exit_code = WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
  r.output = FileTail(o.stdout_path, 1 << 22);
  return r;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
  return s;
}

absl::Status RunCommand(const SubprocessOptions& options,
                        absl::Duration timeout) {
  SubprocessOptions opts = options;
  std::string log = opts.stdout_path;
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start(opts);
  if (!p.ok()) return p.status();
  absl::StatusOr<int> st = (*p)->Wait(timeout);
  if (!st.ok()) {
    (*p)->Stop(SIGKILL);
    return absl::DeadlineExceededError(absl::StrCat(
        absl::StrJoin(options.argv, " "), ": ", st.status().message()));
  }
  if (WIFEXITED(*st) && WEXITSTATUS(*st) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      absl::StrJoin(options.argv, " "), " failed (", DescribeWaitStatus(*st),
      ")", log.empty() ? "" : ": ", log.empty() ? "" : FileTail(log)));
}

}  // namespace candor::testing
