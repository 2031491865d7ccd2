#include "services/agent/process_runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"

namespace candor::agent {
namespace {

std::string Dir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/", name);
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

ProcessSpec Sh(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  return spec;
}

// Waits (with a deadline) until `path` exists.
bool WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

TEST(RunWithTimeoutTest, StdinEnvAndCwd) {
  const std::string dir = Dir("run_stdin");
  ProcessSpec spec = Sh("cat > out; echo \"$FOO\" >> out");
  spec.extra_env = {"FOO=bar baz"};
  spec.cwd = dir;
  auto r = RunWithTimeout(spec, "hello\n", absl::Seconds(30));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(*ReadFile(dir + "/out"), "hello\nbar baz\n");
}

TEST(RunWithTimeoutTest, ExitCodeAndSignal) {
  auto r = RunWithTimeout(Sh("exit 3"), "", absl::Seconds(30));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->exit_code, 3);
  r = RunWithTimeout(Sh("kill -9 $$"), "", absl::Seconds(30));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->term_signal, 9);
  EXPECT_FALSE(r->ok());
}

TEST(RunWithTimeoutTest, TimeoutKillsTheWholeGroup) {
  const std::string dir = Dir("run_timeout");
  ProcessSpec spec = Sh("(sleep 60; touch late) & echo $! > child; wait");
  spec.cwd = dir;
  const absl::Time start = absl::Now();
  auto r = RunWithTimeout(spec, "", absl::Milliseconds(300));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  auto child = ReadFile(dir + "/child");
  ASSERT_TRUE(child.ok());
  const pid_t pid = std::atoi(child->c_str());
  // The background subshell was in the group: it is gone (or a zombie being
  // reaped by init) shortly after.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool gone = false;
  while (absl::Now() < deadline && !gone) {
    auto stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
    gone = !stat.ok() || stat->find(") Z") != std::string::npos;
    if (!gone) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(gone);
}

TEST(RunWithTimeoutTest, ChildIgnoringLargeStdinDoesNotHurtUs) {
  auto r = RunWithTimeout(Sh("exec 0<&-; exit 0"), std::string(4 << 20, 'x'),
                          absl::Seconds(30));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok());
}

TEST(RunWithTimeoutTest, MissingProgram) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/action"};
  auto r = RunWithTimeout(spec, "", absl::Seconds(5));
  EXPECT_FALSE(r.ok() && r->ok());
}

TEST(StartDetachedTest, RunsInCwdWithLog) {
  const std::string dir = Dir("detached");
  ProcessSpec spec = Sh("echo started; echo oops >&2; touch marker");
  spec.cwd = dir;
  auto pid = StartDetached(spec, dir + "/run.log", "test script");
  ASSERT_TRUE(pid.ok()) << pid.status();
  ASSERT_TRUE(WaitForFile(dir + "/marker", absl::Seconds(30)));
  // The log is written before the marker.
  EXPECT_THAT(*ReadFile(dir + "/run.log"), ::testing::HasSubstr("started\noops"));
}

}  // namespace
}  // namespace candor::agent
