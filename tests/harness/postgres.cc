#include "tests/harness/postgres.h"

#include <postgresql/libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/harness/ports.h"

namespace candor::testing {
namespace {

constexpr char kUser[] = "postgres";
constexpr absl::Duration kReadyTimeout = absl::Seconds(60);

bool RunningAsRoot() { return geteuid() == 0; }

absl::Status CheckBinaries(const std::string& bindir) {
  for (const char* bin : {"initdb", "postgres"}) {
    std::string path = absl::StrCat(bindir, "/", bin);
    if (access(path.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "PostgreSQL binaries not found: ", path,
          " is missing or not executable (CANDOR_PG_BINDIR=", bindir,
          "); install postgresql-15 with scripts/setup, or point "
          "CANDOR_PG_BINDIR at the directory holding initdb and postgres"));
    }
  }
  if (RunningAsRoot() && getpwnam(kUser) == nullptr) {
    return absl::FailedPreconditionError(
        "running as root but there is no 'postgres' user to run initdb as; "
        "install postgresql-15 with scripts/setup");
  }
  return absl::OkStatus();
}

}  // namespace

std::string PostgresBinDir() {
  const char* d = std::getenv("CANDOR_PG_BINDIR");
  return (d != nullptr && *d != '\0') ? d : "/usr/lib/postgresql/15/bin";
}

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::Start() {
  std::string bindir = PostgresBinDir();
  absl::Status s = CheckBinaries(bindir);
  if (!s.ok()) return s;
  // /tmp, not TEST_TMPDIR: the postgres user cannot reach Bazel's output root,
  // and a unix socket path must stay under 108 bytes.
  absl::StatusOr<TempDir> dir = TempDir::Create("/tmp", "candor-pg.");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<PostgresCluster> c(
      new PostgresCluster(bindir, std::move(*dir)));
  std::string data = c->dir_.Sub("data");
  std::string log = c->log_path();
  if (mkdir(data.c_str(), 0700) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", data));
  }
  std::optional<std::string> run_as;
  if (RunningAsRoot()) {
    run_as = kUser;
    s = ChownTree(c->dir_.path(), kUser);
    if (!s.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          s.message(), " (inside Bazel's sandbox chown fails: tag the test "
                       "\"no-sandbox\")"));
    }
  }
  SubprocessOptions init;
  init.argv = {bindir + "/initdb", "-D", data, "-U", kUser, "-A", "trust",
               "-E", "UTF8", "--no-sync", "--locale=C"};
  init.run_as = run_as;
  init.stdout_path = c->dir_.Sub("initdb.log");
  s = RunCommand(init, absl::Seconds(120));
  if (!s.ok()) return s;
  // Try a few ports: another test may take a free port before postgres binds it.
  for (int attempt = 0; attempt < 5; ++attempt) {
    absl::StatusOr<int> port = PickFreePort();
    if (!port.ok()) return port.status();
    s = c->Launch(*port);
    if (s.ok()) return c;
    if (!absl::StrContains(FileTail(log), "in use")) return s;
  }
  return s;
}

absl::Status PostgresCluster::Launch(int port) {
  port_ = port;
  SubprocessOptions opts;
  opts.argv = {bindir_ + "/postgres",
               "-D", dir_.Sub("data"),
               "-p", absl::StrCat(port),
               "-k", dir_.path(),
               "-c", "listen_addresses=127.0.0.1",
               "-c", "fsync=off",
               "-c", "synchronous_commit=off",
               "-c", "full_page_writes=off",
               "-c", "max_connections=300",
               "-c", "log_min_messages=warning"};
  if (RunningAsRoot()) opts.run_as = kUser;
  opts.stdout_path = log_path();
  absl::StatusOr<std::unique_ptr<Subprocess>> p = Subprocess::Start(opts);
  if (!p.ok()) return p.status();
  server_ = std::move(*p);
  return WaitReady();
}

absl::Status PostgresCluster::WaitReady() {
  std::string conninfo = ConnectionString("postgres") + " connect_timeout=2";
  absl::Time deadline = absl::Now() + kReadyTimeout;
  absl::Duration pause = absl::Milliseconds(2);
  while (true) {
    if (!server_->Running()) {
      return absl::UnavailableError(absl::StrCat(
          "postgres exited during startup; log ", log_path(), ": ",
          FileTail(log_path())));
    }
    if (PQping(conninfo.c_str()) == PQPING_OK) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "postgres not ready after ", absl::FormatDuration(kReadyTimeout),
          "; log: ", FileTail(log_path())));
    }
    // Readiness probe: the server gives no other signal we can wait on.
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
}

PostgresCluster::~PostgresCluster() {
  if (server_ != nullptr) server_->Stop(SIGINT);  // fast shutdown
}

std::string PostgresCluster::ConnectionString(const std::string& dbname) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=", kUser,
                      " dbname=", dbname);
}

absl::Status PostgresCluster::Execute(const std::string& dbname,
                                      const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(
      PQconnectdb(ConnectionString(dbname).c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("connect to ", dbname, ": ", PQerrorMessage(conn.get())));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> res(
      PQexec(conn.get(), sql.c_str()), &PQclear);
  ExecStatusType st = PQresultStatus(res.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat("`", sql, "` on ", dbname, ": ",
                                            PQerrorMessage(conn.get())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PostgresCluster::CreateDatabase(
    const std::string& prefix) {
  std::string name = absl::StrCat(prefix, "_", next_db_++);
  absl::Status s = Execute("postgres", absl::StrCat("CREATE DATABASE ", name));
  if (!s.ok()) return s;
  return ConnectionString(name);
}

absl::Status PostgresCluster::Stop() {
  if (server_ == nullptr) return absl::OkStatus();
  int st = server_->Stop(SIGINT);
  server_.reset();
  if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0)) {
    return absl::InternalError(
        absl::StrCat("postgres stopped with ", DescribeWaitStatus(st)));
  }
  return absl::OkStatus();
}

absl::Status PostgresCluster::Restart() {
  absl::Status s = Stop();
  if (!s.ok()) return s;
  return Launch(port_);
}

absl::StatusOr<PostgresCluster*> SharedPostgres() {
  // Destroyed at exit(): the server is stopped and its directory removed.
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> cluster =
      PostgresCluster::Start();
  if (!cluster.ok()) return cluster.status();
  return cluster->get();
}

}  // namespace candor::testing
