#include "cli/tenant/commands/watch/watch_command.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "cli/tenant/commands/watch/watch_format.h"
#include "cli/tenant/proto_format.h"
#include "cli/tenant/service_client.h"

namespace candor::tenant {
namespace {

struct WatchOptions {
  std::string verifier;
  std::string from;
  bool from_oldest = false;
  std::vector<std::string> agents;
  std::vector<std::string> kinds;
  std::vector<std::string> states;
  std::string min_severity;
  uint64_t count = 0;
  std::vector<std::string> until;
  bool heartbeats = false;
};

absl::Status FlagError(absl::string_view flag, const absl::Status& s) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", s.message()));
}

absl::StatusOr<v1::WatchAttestationsRequest> BuildRequest(
    const WatchOptions& o) {
  v1::WatchAttestationsRequest req;
  if (!o.from.empty()) req.set_after_cursor(o.from);
  if (o.from_oldest) req.set_from_oldest(true);
  v1::WatchFilter* f = req.mutable_filter();
  for (const std::string& a : o.agents) f->add_agent_ids(a);
  for (const std::string& k : o.kinds) {
    absl::StatusOr<v1::EventKind> kind = ParseEventKind(k);
    if (!kind.ok()) return FlagError("--kind", kind.status());
    f->add_kinds(*kind);
  }
  for (const std::string& s : o.states) {
    absl::StatusOr<v1::OperationalState> st = ParseState(s);
    if (!st.ok()) return FlagError("--state", st.status());
    f->add_states(*st);
  }
  if (!o.min_severity.empty()) {
    absl::StatusOr<v1::Severity> sev = ParseSeverity(o.min_severity);
    if (!sev.ok()) return FlagError("--min-severity", sev.status());
    f->set_min_severity(*sev);
  }
  return req;
}

absl::StatusOr<std::map<std::string, v1::OperationalState>> ParseUntil(
    const std::vector<std::string>& until) {
  std::map<std::string, v1::OperationalState> out;
  for (const std::string& u : until) {
    size_t eq = u.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--until-state ", u,
                       ": expected AGENT_ID=STATE, e.g. "
                       "node-3=attesting"));
    }
    absl::StatusOr<v1::OperationalState> st = ParseState(u.substr(eq + 1));
    if (!st.ok())
      return FlagError(absl::StrCat("--until-state ", u), st.status());
    out[u.substr(0, eq)] = *st;
  }
  return out;
}

// SIGINT/SIGTERM handling: the signals are blocked in every thread (set
// before gRPC starts its threads) and taken by one thread with sigwait,
// which cancels the current call and wakes any backoff wait.
class Interrupts {
 public:
  Interrupts() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);  // our own wake-up at the end
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] {
      int sig = 0;
      sigwait(&set_, &sig);
      std::lock_guard<std::mutex> l(mu_);
      if (sig != SIGUSR1) stopped_ = true;
      if (call_ != nullptr) call_->TryCancel();
      cv_.notify_all();
    });
  }
  ~Interrupts() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  bool stopped() {
    std::lock_guard<std::mutex> l(mu_);
    return stopped_;
  }
  // The call to cancel on a signal (null: none).
  void SetCall(grpc::ClientContext* call) {
    std::lock_guard<std::mutex> l(mu_);
    call_ = call;
    if (stopped_ && call_ != nullptr) call_->TryCancel();
  }
  // Waits `d` unless interrupted first; false when interrupted.
  bool Sleep(absl::Duration d) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, absl::ToChronoNanoseconds(d), [this] { return stopped_; });
    return !stopped_;
  }

 private:
  sigset_t set_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  grpc::ClientContext* call_ = nullptr;
};

class Printer {
 public:
  Printer(const CommandContext& ctx) : json_(ctx.output_format == "json") {
    if (!ctx.out_path.empty()) {
      file_.open(ctx.out_path, std::ios::out | std::ios::trunc);
      out_ = &file_;
    }
  }
  absl::Status Check(const CommandContext& ctx) const {
    if (out_ == &file_ && !file_.is_open()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--out ", ctx.out_path, ": cannot open for writing"));
    }
    return absl::OkStatus();
  }
  bool Event(const v1::AttestationEvent& e) {
    return Line(json_ ? EventJsonLine(e) : EventLine(e));
  }
  bool Heartbeat(const v1::Heartbeat& h) {
    return Line(json_ ? HeartbeatJsonLine(h) : HeartbeatLine(h));
  }

 private:
  bool Line(const std::string& s) {
    *out_ << s << "\n" << std::flush;
    return static_cast<bool>(*out_);
  }
  bool json_;
  std::ofstream file_;
  std::ostream* out_ = &std::cout;
};

// GetAgent for each --until-state agent; marks those already there.
void CheckCurrentStates(const CommandContext& ctx,
                        v1::VerifierService::Stub& stub,
                        const std::map<std::string, v1::OperationalState>& want,
                        std::map<std::string, bool>* reached) {
  for (const auto& [id, state] : want) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::GetAgentRequest req;
    req.set_agent_id(id);
    v1::Agent a;
    if (stub.GetAgent(&call, req, &a).ok() && a.state() == state) {
      (*reached)[id] = true;
    }
  }
}

absl::Status RunWatch(const WatchOptions& o, const CommandContext& ctx) {
  absl::StatusOr<v1::WatchAttestationsRequest> base = BuildRequest(o);
  if (!base.ok()) return base.status();
  absl::StatusOr<std::map<std::string, v1::OperationalState>> until =
      ParseUntil(o.until);
  if (!until.ok()) return until.status();
  Printer printer(ctx);
  if (absl::Status s = printer.Check(ctx); !s.ok()) return s;

  Interrupts interrupts;  // before any gRPC thread exists
  absl::StatusOr<ServiceClient> v = ConnectVerifier(ctx, o.verifier);
  if (!v.ok()) return v.status();
  auto stub = v1::VerifierService::NewStub(v->channel());

  std::map<std::string, bool> reached;
  auto done = [&](uint64_t events) {
    if (o.count > 0 && events >= o.count) return true;
    if (until->empty()) return false;
    return std::all_of(until->begin(), until->end(),
                       [&](const auto& u) { return reached[u.first]; });
  };
  std::string cursor;  // last cursor received
  uint64_t events = 0;
  absl::Duration backoff = absl::Milliseconds(500);
  for (int attempt = 0;; ++attempt) {
    v1::WatchAttestationsRequest req = *base;
    if (!cursor.empty()) req.set_after_cursor(cursor);
    grpc::ClientContext call;
    interrupts.SetCall(&call);
    std::unique_ptr<grpc::ClientReader<v1::WatchAttestationsResponse>> reader =
        stub->WatchAttestations(&call, req);
    // The sync reader returns once the request is sent, which needs a
    // connection: READY now means the verifier was reached.
    bool connected =
        v->channel()->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
    if (attempt == 0 && !until->empty() && !req.has_after_cursor() &&
        !req.from_oldest()) {
      CheckCurrentStates(ctx, *stub, *until, &reached);
    }
    bool finished = done(events);
    v1::WatchAttestationsResponse resp;
    while (!finished && reader->Read(&resp)) {
      connected = true;
      backoff = absl::Milliseconds(500);
      if (resp.has_heartbeat()) {
        cursor = resp.heartbeat().cursor();
        if (o.heartbeats && !printer.Heartbeat(resp.heartbeat())) {
          return absl::InternalError("writing the output failed");
        }
        continue;
      }
      if (!resp.has_event()) continue;
      const v1::AttestationEvent& e = resp.event();
      cursor = e.cursor();
      ++events;
      if (!printer.Event(e)) {
        return absl::InternalError("writing the output failed");
      }
      auto u = until->find(e.agent_id());
      if (u != until->end() && u->second == e.state())
        reached[e.agent_id()] = true;
      finished = done(events);
    }
    if (finished) call.TryCancel();
    grpc::Status st = reader->Finish();
    interrupts.SetCall(nullptr);
    if (finished || interrupts.stopped()) return absl::OkStatus();
    switch (st.error_code()) {
      case grpc::StatusCode::OUT_OF_RANGE:
        return absl::OutOfRangeError(absl::StrCat(
            "the verifier at ", v->address(),
            " no longer holds the events "
            "after cursor ",
            req.after_cursor(),
            " (older than its event "
            "retention): restart with --from-oldest and expect a gap (",
            st.error_message(), ")"));
      case grpc::StatusCode::UNAVAILABLE:
        if (attempt == 0 && !connected) {
          return v->Unreachable(
              absl::StrCat("WatchAttestations: ", st.error_message()));
        }
        break;
      case grpc::StatusCode::OK:
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        break;
      default:
        return v->Check(st, "WatchAttestations");
    }
    std::cerr << "tenant: watch: stream ended ("
              << (st.ok() ? "OK"
                          : absl::StatusCodeToString(
                                static_cast<absl::StatusCode>(st.error_code())))
              << (st.error_message().empty() ? "" : ": ") << st.error_message()
              << "); reconnecting in " << absl::FormatDuration(backoff)
              << (cursor.empty() ? std::string(" from the original start")
                                 : absl::StrCat(" after cursor ", cursor))
              << "\n";
    if (!interrupts.Sleep(backoff)) return absl::OkStatus();
    backoff = std::min(backoff * 2, absl::Seconds(10));
  }
}

}  // namespace

void RegisterWatchCommand(CLI::App& app, CommandRegistry& registry) {
  auto o = std::make_shared<WatchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Stream attestation events of the fleet (one line per event; -o json: "
      "one JSON object per line); Ctrl-C to stop");
  AddVerifierOption(cmd, &o->verifier);
  CLI::Option* from = cmd->add_option(
      "--from", o->from, "Resume after this cursor (from a previous event)");
  cmd->add_flag("--from-oldest", o->from_oldest,
                "Start with the oldest event the verifier still holds")
      ->excludes(from);
  cmd->add_option("--agent", o->agents,
                  "Only events about this agent "
                  "(repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--kind", o->kinds,
                  "Only these event kinds, e.g. attestation_failed,"
                  "state_changed")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--state", o->states,
                  "Only events leaving the agent in these states, e.g. "
                  "failed,unreachable")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--min-severity", o->min_severity,
                  "Only events with a failure at least this severe (info, "
                  "notice, warning, error, critical, alert, emergency)");
  cmd->add_option("--count", o->count, "Exit 0 after N events")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--until-state", o->until,
                  "Exit 0 once AGENT_ID has reached STATE (repeatable: all "
                  "of them), e.g. node-3=attesting")
      ->allow_extra_args(false);
  cmd->add_flag("--heartbeats", o->heartbeats, "Print heartbeats too");
  registry.Bind(cmd,
                [o](const CommandContext& ctx) { return RunWatch(*o, ctx); });
}

}  // namespace candor::tenant
