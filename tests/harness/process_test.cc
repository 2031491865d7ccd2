#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/ports.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/temp_dir.h"

namespace candor::testing {
namespace {

using ::testing::HasSubstr;

std::string TmpRoot() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t ? t : "/tmp";
}

TEST(SubprocessTest, RunCommandReportsExitStatusAndOutput) {
  std::string log = TmpRoot() + "/false.log";
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "echo boom-output; exit 3"};
  o.stdout_path = log;
  absl::Status s = RunCommand(o);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("exit 3"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("boom-output"));
}

TEST(SubprocessTest, MissingBinaryIsNamed) {
  SubprocessOptions o;
  o.argv = {"/nonexistent/bin/initdb"};
  absl::Status s = RunCommand(o);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/bin/initdb"));
}

TEST(SubprocessTest, StopTerminatesALongRunningChild) {
  SubprocessOptions o;
  o.argv = {"/bin/sleep", "600"};
  auto p = Subprocess::Start(o);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE((*p)->Running());
  int st = (*p)->Stop(SIGTERM);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGTERM);
  EXPECT_FALSE((*p)->Running());
}

TEST(SubprocessTest, WaitTimesOut) {
  SubprocessOptions o;
  o.argv = {"/bin/sleep", "600"};
  auto p = Subprocess::Start(o);
  ASSERT_TRUE(p.ok());
  auto st = (*p)->Wait(absl::Milliseconds(20));
  EXPECT_EQ(st.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(SubprocessTest, ChildInheritsListeningSocket) {
  auto sock = Listen(0);
  ASSERT_TRUE(sock.ok());
  SubprocessOptions o;
  // The child sees the inherited descriptor in /proc/self/fd.
  o.argv = {"/bin/sh", "-c",
            "test -e /proc/self/fd/" + std::to_string(sock->fd())};
  o.inherit_fds = {sock->fd()};
  EXPECT_TRUE(RunCommand(o).ok());
  o.inherit_fds.clear();  // without it, CLOEXEC closes it
  EXPECT_FALSE(RunCommand(o).ok());
}

TEST(PortsTest, ConsecutivePorts) {
  auto pair = ListenOnConsecutivePorts();
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->control.port(), pair->server.port() + 1);
  // Both are taken while held.
  EXPECT_FALSE(Listen(pair->server.port()).ok());
}

TEST(TempDirTest, RemovedOnDestructionAndStaleOnesSwept) {
  std::string path;
  {
    auto d = TempDir::Create(TmpRoot(), "candor-t.");
    ASSERT_TRUE(d.ok());
    path = d->path();
    EXPECT_TRUE(std::filesystem::exists(path + "/owner.pid"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  // A directory whose owner is gone is swept by the next Create.
  std::string stale = TmpRoot() + "/candor-t.stale1";
  std::filesystem::create_directories(stale);
  ASSERT_TRUE(WriteFile(stale + "/owner.pid", "999999999\n").ok());
  auto d = TempDir::Create(TmpRoot(), "candor-t.");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(std::filesystem::exists(stale));
}

}  // namespace
}  // namespace candor::testing
