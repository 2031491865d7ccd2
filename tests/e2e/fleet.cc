#include "tests/e2e/fleet.h"

#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>

#include <chrono>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "lib/common/file_util.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"
#include "tests/harness/ports.h"
#include "tests/harness/resources.h"
#include "tests/harness/temp_dir.h"

namespace candor::e2e {
namespace {

std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/candor/", path);
}
std::string Service(const std::string& name) {
  return Runfile(absl::StrCat("services/", name, "/", name));
}
std::string Tool(const std::string& name) { return Runfile("tools/" + name); }

absl::Status Run(const std::vector<std::string>& argv,
                 absl::Duration timeout = absl::Seconds(60)) {
  testing::CommandResult r = testing::RunAndCapture(argv, timeout);
  if (r.exit_code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "),
                                            ": exit ", r.exit_code, "\n",
                                            r.output));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<testing::Subprocess>> Spawn(
    std::vector<std::string> argv, const std::string& log) {
  testing::SubprocessOptions o;
  o.argv = std::move(argv);
  o.stdout_path = log;
  return testing::Subprocess::Start(o);
}

absl::Status WaitUntil(const std::string& what, absl::Duration timeout,
                       const std::function<bool()>& done) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("waiting for ", what));
    }
    absl::SleepFor(absl::Milliseconds(100));  // polling a condition
  }
  return absl::OkStatus();
}

}  // namespace

std::string Node::address() const { return absl::StrCat("127.0.0.1:", port); }

std::string Node::RevocationOutput(const std::string& revoked) const {
  return absl::StrCat(dir, "/revoked-", revoked, ".json");
}

namespace {
// Errors of missing real parts (swtpm, PostgreSQL) stay FAILED_PRECONDITION
// (CANDOR_START_FLEET turns them into CANDOR_REQUIRE_RESOURCE); everything
// else becomes INTERNAL, so a broken fleet fails the test even outside CI.
absl::Status NotAResource(absl::Status s) {
  if (s.ok() || !absl::IsFailedPrecondition(s)) return s;
  return absl::InternalError(s.message());
}
}  // namespace

absl::StatusOr<std::unique_ptr<Fleet>> Fleet::Start(const FleetOptions& o) {
  std::unique_ptr<Fleet> f(new Fleet());
  f->options_ = o;
  // A fresh directory per fleet (several tests in one binary).
  std::string tmpl = testing::TestTmpRoot() + "/fleet.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError("mkdtemp " + tmpl);
  }
  ::chmod(tmpl.c_str(), 0755);
  f->dir_ = tmpl;
  ABSL_ASSIGN_OR_RETURN(f->pg_, testing::PostgresCluster::Start());
  for (int i = 0; i < o.nodes; ++i) {
    ABSL_ASSIGN_OR_RETURN(std::unique_ptr<testing::Swtpm> tpm,
                          testing::Swtpm::Start());
    f->nodes_.push_back(std::make_unique<Node>());
    f->nodes_.back()->tpm = std::move(tpm);
  }
  absl::Status s = f->Setup();
  if (!s.ok()) return NotAResource(s);
  return f;
}

absl::Status Fleet::Setup() {
  const FleetOptions& o = options_;
  pki_ = dir_ + "/pki";
  pki::InitOptions pki_options;
  pki_options.dir = pki_;
  pki_options.overwrite = true;
  ABSL_RETURN_IF_ERROR(pki::InitPki(pki_options).status());
  ABSL_ASSIGN_OR_RETURN(ek_ca_dir_, testing::Swtpm::EkCaDir());
  ABSL_ASSIGN_OR_RETURN(registrar_db_, pg_->CreateDatabase("registrar"));
  ABSL_ASSIGN_OR_RETURN(verifier_db_, pg_->CreateDatabase("verifier"));
  ABSL_ASSIGN_OR_RETURN(registrar_port_, testing::PickFreePort());
  ABSL_ASSIGN_OR_RETURN(verifier_port_, testing::PickFreePort());
  ABSL_ASSIGN_OR_RETURN(verifier_metrics_port_, testing::PickFreePort());
  ABSL_ASSIGN_OR_RETURN(registrar_metrics_port_, testing::PickFreePort());
  ABSL_RETURN_IF_ERROR(StartRegistrar());
  ABSL_RETURN_IF_ERROR(StartVerifier());
  for (int i = 0; i < o.nodes; ++i) {
    ABSL_RETURN_IF_ERROR(StartNode(i, o)) << "node " << i + 1;
  }
  // Every agent enrolled (active at the registrar).
  absl::Status enrolled = WaitUntil("every agent to enroll", absl::Seconds(60), [this] {
           testing::CommandResult r =
               Tenant({"-o", "json", "registrar", "--registrar",
                       registrar_address(), "list", "--state", "active"});
           int n = 0;
           for (size_t p = r.output.find("\"agent_id\"");
                p != std::string::npos;
                p = r.output.find("\"agent_id\"", p + 1)) {
             ++n;
           }
           return r.exit_code == 0 && n == size();
         });
  if (!enrolled.ok()) {
    return absl::InternalError(absl::StrCat(enrolled.message(), LogTails()));
  }
  return absl::OkStatus();
}

Fleet::~Fleet() {
  for (auto& n : nodes_) n->agent.reset();
  verifier_.reset();
  registrar_.reset();
}

std::string Fleet::verifier_address() const {
  return absl::StrCat("localhost:", verifier_port_);
}
std::string Fleet::registrar_address() const {
  return absl::StrCat("localhost:", registrar_port_);
}

absl::Status Fleet::StartRegistrar() {
  ABSL_ASSIGN_OR_RETURN(
      registrar_,
      Spawn({Service("registrar"),
             absl::StrCat("--listen=127.0.0.1:", registrar_port_),
             "--tls_cert=" + pki::CertPath(pki_, "registrar"),
             "--tls_key=" + pki::KeyPath(pki_, "registrar"),
             "--tls_ca=" + pki::CertPath(pki_, "ca"),
             "--database=" + registrar_db_, "--ek_ca_dir=" + ek_ca_dir_,
             absl::StrCat("--metrics_listen=127.0.0.1:",
                          registrar_metrics_port_)},
            dir_ + "/registrar.log"));
  testing::Subprocess* p = registrar_.get();
  return testing::WaitForPort(registrar_port_, absl::Seconds(30),
                              [p] { return p->Running(); });
}

absl::Status Fleet::StartVerifier() {
  std::vector<std::string> argv = {
      Service("verifier"),
      absl::StrCat("--listen=127.0.0.1:", verifier_port_),
      "--replica_id=replica-a",
      "--tls_cert=" + pki::CertPath(pki_, "verifier"),
      "--tls_key=" + pki::KeyPath(pki_, "verifier"),
      "--tls_ca=" + pki::CertPath(pki_, "ca"),
      "--database=" + verifier_db_,
      "--registrar=" + registrar_address(),
      "--revocation_cert=" + pki::CertPath(pki_, "revocation"),
      "--revocation_key=" + pki::KeyPath(pki_, "revocation"),
      "--quote_interval=" + options_.quote_interval,
      "--backoff_ceiling=2s",
      "--rpc_timeout=3s",
      "--lease_duration=6s",
      absl::StrCat("--metrics_listen=127.0.0.1:", verifier_metrics_port_)};
  for (const std::string& f : options_.verifier_flags) argv.push_back(f);
  ABSL_ASSIGN_OR_RETURN(verifier_, Spawn(argv, dir_ + "/verifier.log"));
  testing::Subprocess* p = verifier_.get();
  return testing::WaitForPort(verifier_port_, absl::Seconds(30),
                              [p] { return p->Running(); });
}

absl::Status Fleet::StopVerifier(int signal) {
  if (verifier_ == nullptr) return absl::OkStatus();
  verifier_->Stop(signal);
  verifier_.reset();
  return absl::OkStatus();
}

absl::Status Fleet::StartNode(int i, const FleetOptions& o) {
  Node* node = nodes_[i].get();
  node->id = absl::StrCat("node-", i + 1);
  node->dir = absl::StrCat(dir_, "/", node->id);
  ::mkdir(node->dir.c_str(), 0755);
  ABSL_ASSIGN_OR_RETURN(node->port, testing::PickFreePort());
  ABSL_ASSIGN_OR_RETURN(node->metrics_port, testing::PickFreePort());
  node->ima_log = node->dir + "/ima";
  node->boot_log = node->dir + "/binary_bios_measurements";
  node->boot_id_file = node->dir + "/boot_id";
  node->secure_dir = node->dir + "/secure";
  node->actions_dir = node->dir + "/actions";
  const std::string tcti = node->tpm->tcti();
  ABSL_RETURN_IF_ERROR(
      Run({Tool("bootlog_gen"), "--tcti", tcti, "--out", node->boot_log}));
  ABSL_RETURN_IF_ERROR(
      Run({Tool("ima_emulator"), "--tcti", tcti, "--log", node->ima_log, "init"}));
  ABSL_RETURN_IF_ERROR(Run({Tool("ima_emulator"), "--tcti", tcti, "--log",
                            node->ima_log, "add", "--count",
                            absl::StrCat(o.ima_entries)}));
  ABSL_RETURN_IF_ERROR(WriteFileAtomically(
      node->boot_id_file, "8d5e3d8c-4d2a-4f55-9a57-" +
                              absl::StrCat(100000000000 + i) + "\n"));
  ::mkdir(node->actions_dir.c_str(), 0755);
  const std::string action = node->actions_dir + "/10-record.sh";
  ABSL_RETURN_IF_ERROR(WriteFileAtomically(
      action, absl::StrCat("#!/bin/sh\nout=\"", node->dir,
                           "/revoked-$CANDOR_REVOKED_AGENT_ID.json\"\n",
                           "cat > \"$out.tmp\" && mv \"$out.tmp\" \"$out\"\n")));
  ::chmod(action.c_str(), 0755);
  return StartAgent(i);
}

absl::Status Fleet::StartAgent(int i) {
  Node& n = *nodes_[i];
  const std::string ek = i % 2 == 0 ? "rsa" : "ecc";
  ABSL_ASSIGN_OR_RETURN(
      n.agent,
      Spawn({Service("agent"), absl::StrCat("--listen=127.0.0.1:", n.port),
             "--agent_id=" + n.id, "--tcti=" + n.tpm->tcti(), "--ek=" + ek,
             "--ak=" + ek, "--state_dir=" + n.dir + "/state",
             "--ca=" + pki::CertPath(pki_, "ca"),
             "--registrar=" + registrar_address(), "--ima_log=" + n.ima_log,
             "--boot_log=" + n.boot_log, "--boot_id_file=" + n.boot_id_file,
             "--secure_dir=" + n.secure_dir,
             "--revocation_actions_dir=" + n.actions_dir,
             absl::StrCat("--metrics_listen=127.0.0.1:", n.metrics_port)},
            n.dir + "/agent.log"));
  testing::Subprocess* p = n.agent.get();
  absl::Status up = testing::WaitForPort(n.port, absl::Seconds(30),
                                         [p] { return p->Running(); });
  if (!up.ok()) {
    return absl::InternalError(absl::StrCat(
        n.id, " agent: ", up.message(), "\n",
        testing::FileTail(n.dir + "/agent.log")));
  }
  return absl::OkStatus();
}

absl::Status Fleet::StopAgent(int i) {
  nodes_[i]->agent.reset();
  return absl::OkStatus();
}

testing::CommandResult Fleet::Tenant(const std::vector<std::string>& args,
                                     absl::Duration timeout) {
  std::vector<std::string> argv = {Runfile("cli/tenant/tenant"), "--certs",
                                   pki_};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunAndCapture(argv, timeout);
}

absl::Status Fleet::RunUnlisted(int i, const std::string& path,
                                const std::string& content) {
  Node& n = *nodes_[i];
  const std::string file = absl::StrCat(n.dir, "/unlisted-", path.size());
  ABSL_RETURN_IF_ERROR(WriteFileAtomically(file, content));
  return Run({Tool("ima_emulator"), "--tcti", n.tpm->tcti(), "--log", n.ima_log,
              "add", "--path", path, "--file", file});
}

absl::Status Fleet::Reboot(int i, const std::string& cmdline) {
  Node& n = *nodes_[i];
  std::vector<std::string> argv = {
      Tool("reboot_sim"), "--tcti", n.tpm->tcti(), "--boot_log", n.boot_log,
      "--ima_log", n.ima_log, "--boot_id_file", n.boot_id_file};
  if (!cmdline.empty()) {
    argv.push_back("--cmdline");
    argv.push_back(cmdline);
  }
  return Run(argv);
}

std::unique_ptr<v1::VerifierService::Stub> Fleet::VerifierStub() const {
  auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(pki_, "ca"),
                                      pki::CertPath(pki_, "tenant"),
                                      pki::KeyPath(pki_, "tenant"));
  if (!cfg.ok()) return nullptr;
  cfg->target_name = "localhost";
  return v1::VerifierService::NewStub(
      rpc::Dial(absl::StrCat("127.0.0.1:", verifier_port_), &*cfg));
}

std::string Fleet::LogTails() const {
  std::string out = "\n--- verifier.log\n" +
                    testing::FileTail(dir_ + "/verifier.log", 3000) +
                    "\n--- registrar.log\n" +
                    testing::FileTail(dir_ + "/registrar.log", 1500);
  for (const auto& n : nodes_) {
    out += "\n--- " + n->id + "/agent.log\n" +
           testing::FileTail(n->dir + "/agent.log", 1500);
  }
  return out;
}

EventStream::EventStream(const Fleet& fleet, std::string after_cursor,
                         bool from_oldest)
    : stub_(fleet.VerifierStub()) {
  v1::WatchAttestationsRequest req;
  if (!after_cursor.empty()) req.set_after_cursor(after_cursor);
  if (from_oldest) req.set_from_oldest(true);
  thread_ = std::thread([this, req] {
    auto reader = stub_->WatchAttestations(&context_, req);
    v1::WatchAttestationsResponse msg;
    while (reader->Read(&msg)) {
      if (!msg.has_event()) continue;
      absl::MutexLock lock(&mu_);
      events_.push_back(msg.event());
    }
    grpc::Status s = reader->Finish();
    absl::MutexLock lock(&mu_);
    ended_ = FromGrpcStatus(s, "WatchAttestations");
    done_ = true;
  });
}

EventStream::~EventStream() { Stop(); }

void EventStream::Stop() {
  if (!thread_.joinable()) return;
  context_.TryCancel();
  thread_.join();
}

std::vector<v1::AttestationEvent> EventStream::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

absl::Status EventStream::ended() const {
  absl::MutexLock lock(&mu_);
  return ended_;
}

absl::StatusOr<v1::AttestationEvent> EventStream::WaitFor(
    const std::function<bool(const v1::AttestationEvent&)>& pred,
    absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  size_t scanned = 0;
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    for (; scanned < events_.size(); ++scanned) {
      if (pred(events_[scanned])) return events_[scanned];
    }
    if (done_) {
      return absl::FailedPreconditionError(
          absl::StrCat("watch ended (", ended_.ToString(), ") after ",
                       events_.size(), " events"));
    }
    auto more = [this, scanned]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return events_.size() > scanned || done_;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&more), deadline)) {
      std::string seen;
      for (const auto& e : events_) {
        absl::StrAppend(&seen, "\n  ", e.agent_id(), " ",
                        v1::EventKind_Name(e.kind()), " ",
                        v1::OperationalState_Name(e.state()));
        for (const auto& f : e.failures()) absl::StrAppend(&seen, " ", f.id());
      }
      return absl::DeadlineExceededError(
          absl::StrCat("no matching event; received:", seen));
    }
  }
}

std::function<bool(const v1::AttestationEvent&)> Is(const std::string& agent,
                                                    v1::EventKind kind) {
  return [agent, kind](const v1::AttestationEvent& e) {
    return e.agent_id() == agent && e.kind() == kind;
  };
}

std::function<bool(const v1::AttestationEvent&)> ReachesState(
    const std::string& agent, v1::OperationalState state) {
  return [agent, state](const v1::AttestationEvent& e) {
    return e.agent_id() == agent && e.kind() == v1::EVENT_KIND_STATE_CHANGED &&
           e.state() == state;
  };
}

bool HasFailureId(const v1::AttestationEvent& e, const std::string& id) {
  for (const auto& f : e.failures()) {
    if (f.id() == id) return true;
  }
  return false;
}

}  // namespace candor::e2e
