// File: tests/harness/postgres.h
//
// A private PostgreSQL 15 cluster for tests (the real server, never a fake):
// `initdb` (as the `postgres` user when running as root, since initdb refuses
// root) into a fresh `mktemp -d /tmp/candor-pg.XXXXXX`, `postgres` as a direct
// child of the test (it dies with the test) listening on 127.0.0.1 on a free
// port and on a unix socket in that directory, trust authentication for user
// `postgres`, durability off for speed. Everything is removed when the cluster
// object is destroyed, even if the test failed; a cluster left by a killed test
// is swept by the next one.
//
// Binaries come from $CANDOR_PG_BINDIR (default /usr/lib/postgresql/15/bin).
// Tests that use it need `tags = ["no-sandbox"]` (the sandbox cannot chown to
// postgres). Use CANDOR_REQUIRE_RESOURCE on the result so that under CI=true a
// missing PostgreSQL fails the test.
#ifndef CANDOR_TESTS_HARNESS_POSTGRES_H_
#define CANDOR_TESTS_HARNESS_POSTGRES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/temp_dir.h"

namespace candor::testing {

class PostgresCluster {
 public:
  // Creates and starts a cluster. FAILED_PRECONDITION names what is missing
  // (the bin directory, initdb or postgres, the postgres user); other errors
  // carry the tail of the server log.
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Start();

  // Stops the server and removes the data directory.
  ~PostgresCluster();

  int port() const { return port_; }
  const std::string& data_dir() const { return dir_.path(); }
  std::string log_path() const { return dir_.Sub("postgres.log"); }

  // libpq connection string for `dbname` over TCP on 127.0.0.1.
  std::string ConnectionString(const std::string& dbname) const;

  // Creates a fresh, empty database named "<prefix>_<n>" and returns its
  // connection string. Each test gets its own database.
  absl::StatusOr<std::string> CreateDatabase(const std::string& prefix = "t");

  // Stops the server (fast shutdown); the data stays. Then Restart() starts it
  // again on the same port: for tests of reconnecting clients.
  absl::Status Stop();
  absl::Status Restart();

  // Runs one SQL statement on `dbname` (admin helper for tests).
  absl::Status Execute(const std::string& dbname, const std::string& sql);

 private:
  PostgresCluster(std::string bindir, TempDir dir)
      : bindir_(std::move(bindir)), dir_(std::move(dir)) {}
  absl::Status Launch(int port);
  absl::Status WaitReady();

  std::string bindir_;
  TempDir dir_;
  std::unique_ptr<Subprocess> server_;
  int port_ = 0;
  int next_db_ = 0;
};

// One cluster per test binary, started on first use and stopped at exit.
// Returns the same error to every caller if it could not start.
absl::StatusOr<PostgresCluster*> SharedPostgres();

// Where the PostgreSQL binaries are looked up.
std::string PostgresBinDir();

}  // namespace candor::testing

#endif  // CANDOR_TESTS_HARNESS_POSTGRES_H_
