// File: tests/e2e/fleet.h  (testonly)
//
// A whole Candor deployment on real parts for end-to-end tests, started the
// way an operator starts it: Candor's PKI (lib/pki), PostgreSQL (a private
// cluster per fleet, so it can be restarted), the registrar and verifier
// binaries over mTLS, and `nodes` nodes, each a provisioned swtpm with a
// generated UEFI boot log (tools/bootlog_gen) and IMA log (tools/ima_emulator)
// measured into it, and an agent binary with a revocation action (writes the
// notice to <node>/revoked-<agent>.json) and a private payload directory.
// Admin actions go through the tenant binary (Tenant()); events are read
// with EventStream (WatchAttestations as the tenant's admin certificate).
//
// Every process is a direct child, stopped in the destructor; logs stay in
// the test's temp dir (named in failure messages). Not thread-safe.
#ifndef CANDOR_TESTS_E2E_FLEET_H_
#define CANDOR_TESTS_E2E_FLEET_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"

namespace candor::e2e {

struct FleetOptions {
  int nodes = 4;
  int ima_entries = 40;          // synthetic files measured at start
  std::string quote_interval = "1s";
  std::vector<std::string> verifier_flags;  // extra flags
};

struct Node {
  std::string id;   // agent id ("node-1", ...)
  std::string dir;  // its files: logs, state, payload, revocation output
  std::unique_ptr<testing::Swtpm> tpm;
  std::unique_ptr<testing::Subprocess> agent;
  int port = 0;
  int metrics_port = 0;  // the agent's /metrics
  std::string ima_log, boot_log, boot_id_file, secure_dir, actions_dir;
  std::string address() const;
  // Where the revocation action writes the notice about `revoked`.
  std::string RevocationOutput(const std::string& revoked) const;
};

class Fleet {
 public:
  static absl::StatusOr<std::unique_ptr<Fleet>> Start(const FleetOptions& o);
  ~Fleet();

  Node& node(int i) { return *nodes_[i]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  const std::string& dir() const { return dir_; }
  const std::string& pki_dir() const { return pki_; }
  std::string verifier_address() const;
  std::string registrar_address() const;
  testing::PostgresCluster& postgres() { return *pg_; }
  int verifier_metrics_port() const { return verifier_metrics_port_; }
  int registrar_metrics_port() const { return registrar_metrics_port_; }

  // The tenant binary with --certs; `args` as a user types them.
  testing::CommandResult Tenant(const std::vector<std::string>& args,
                                absl::Duration timeout = absl::Seconds(60));

  // IMA measures `path` (content `content`) on node i (ima_emulator add).
  absl::Status RunUnlisted(int i, const std::string& path,
                           const std::string& content);
  // Reboots node i (reboot_sim) with `cmdline` ("" = the original).
  absl::Status Reboot(int i, const std::string& cmdline = "");

  absl::Status StopVerifier(int signal);
  absl::Status StartVerifier();
  absl::Status StopAgent(int i);
  absl::Status StartAgent(int i);
  // A stub for the verifier as admin (tenant certificate).
  std::unique_ptr<v1::VerifierService::Stub> VerifierStub() const;
  std::string LogTails() const;

 private:
  Fleet() = default;
  absl::Status Setup();
  absl::Status StartNode(int i, const FleetOptions& o);
  absl::Status StartRegistrar();

  FleetOptions options_;
  std::string dir_, pki_, ek_ca_dir_, registrar_db_, verifier_db_;
  std::unique_ptr<testing::PostgresCluster> pg_;
  std::unique_ptr<testing::Subprocess> registrar_, verifier_;
  int registrar_port_ = 0, verifier_port_ = 0, verifier_metrics_port_ = 0;
  int registrar_metrics_port_ = 0;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// Reads WatchAttestations on a thread and keeps every event received.
class EventStream {
 public:
  // `after_cursor` empty = live.
  EventStream(const Fleet& fleet, std::string after_cursor = "",
              bool from_oldest = false);
  ~EventStream();

  // The first received event (from the start of the stream) matching `pred`,
  // waiting up to `timeout`. DEADLINE_EXCEEDED lists what was received.
  absl::StatusOr<v1::AttestationEvent> WaitFor(
      const std::function<bool(const v1::AttestationEvent&)>& pred,
      absl::Duration timeout);
  std::vector<v1::AttestationEvent> events() const;
  // How the stream ended (OK while running).
  absl::Status ended() const;
  void Stop();

 private:
  std::unique_ptr<v1::VerifierService::Stub> stub_;
  grpc::ClientContext context_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<v1::AttestationEvent> events_ ABSL_GUARDED_BY(mu_);
  absl::Status ended_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

// Starts a Fleet into `var` (a std::unique_ptr<Fleet>) in a TEST body or
// SetUp(): a missing swtpm or PostgreSQL fails under CI=true and skips
// otherwise (CANDOR_REQUIRE_RESOURCE); any other error fails the test.
#define CANDOR_START_FLEET(var, options)                          \
  do {                                                            \
    auto candor_fleet_ = ::candor::e2e::Fleet::Start(options);    \
    if (!candor_fleet_.ok() &&                                    \
        absl::IsFailedPrecondition(candor_fleet_.status())) {     \
      CANDOR_REQUIRE_RESOURCE(candor_fleet_);                     \
    }                                                             \
    ASSERT_TRUE(candor_fleet_.ok()) << candor_fleet_.status();    \
    var = std::move(*candor_fleet_);                              \
  } while (0)

// Predicates.
std::function<bool(const v1::AttestationEvent&)> Is(const std::string& agent,
                                                    v1::EventKind kind);
std::function<bool(const v1::AttestationEvent&)> ReachesState(
    const std::string& agent, v1::OperationalState state);
bool HasFailureId(const v1::AttestationEvent& e, const std::string& id);

}  // namespace candor::e2e

#endif  // CANDOR_TESTS_E2E_FLEET_H_
