#include "cli/tenant/commands/registrar/registrar_commands.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "cli/tenant/exit_codes.h"
#include "google/protobuf/util/time_util.h"
#include "lib/status/grpc_status.h"

namespace candor::tenant {
namespace {

using google::protobuf::util::TimeUtil;

struct Options {
  std::string address;
  std::string agent_id;
  std::string state;  // list filter
  uint32_t page_size = 100;
};

std::string StateName(v1::RegistrationState s) {
  switch (s) {
    case v1::REGISTRATION_STATE_ACTIVE:
      return "ACTIVE";
    case v1::REGISTRATION_STATE_PENDING_ACTIVATION:
      return "PENDING_ACTIVATION";
    default:
      return "UNSPECIFIED";
  }
}

std::string Time(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0 ? "" : TimeUtil::ToString(t);
}

nlohmann::json ToJson(const v1::RegisteredAgent& a) {
  return {{"agent_id", a.identity().agent_id()},
          {"state", StateName(a.state())},
          {"address", a.address()},
          {"ek_trust", a.ek_trust()},
          {"registration_count", a.registration_count()},
          {"registered_at", Time(a.registered_at())},
          {"activated_at", Time(a.activated_at())},
          {"ak_name", absl::BytesToHexString(a.identity().ak_name())},
          {"simulated", a.identity().simulated()}};
}

std::vector<std::string> Row(const v1::RegisteredAgent& a) {
  return {a.identity().agent_id(), StateName(a.state()), a.address(),
          a.ek_trust(), Time(a.activated_at())};
}

absl::StatusOr<std::unique_ptr<v1::RegistrarService::Stub>> Stub(
    const Options& o, const CommandContext& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> ch = ctx.Dial(o.address);
  if (!ch.ok()) return ch.status();
  return v1::RegistrarService::NewStub(*ch);
}

std::string Call(const Options& o, absl::string_view rpc) {
  return absl::StrCat("registrar at ", o.address, " (", rpc, ")");
}

absl::Status RunList(const Options& o, const CommandContext& ctx) {
  absl::StatusOr<std::unique_ptr<v1::RegistrarService::Stub>> stub =
      Stub(o, ctx);
  if (!stub.ok()) return stub.status();
  v1::ListRegisteredAgentsRequest req;
  req.set_page_size(o.page_size);
  if (o.state == "active") req.set_state(v1::REGISTRATION_STATE_ACTIVE);
  if (o.state == "pending") {
    req.set_state(v1::REGISTRATION_STATE_PENDING_ACTIVATION);
  }
  nlohmann::json j = nlohmann::json::array();
  Table t{{"AGENT", "STATE", "ADDRESS", "EK TRUST", "ACTIVATED"}, {}};
  do {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::ListRegisteredAgentsResponse resp;
    absl::Status s = FromGrpcStatus(
        (*stub)->ListRegisteredAgents(&call, req, &resp), Call(o, "list"));
    if (!s.ok()) return s;
    for (const v1::RegisteredAgent& a : resp.agents()) {
      j.push_back(ToJson(a));
      t.rows.push_back(Row(a));
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return ctx.MakeOutput().Emit(j, t);
}

absl::Status RunStatus(const Options& o, const CommandContext& ctx) {
  absl::StatusOr<std::unique_ptr<v1::RegistrarService::Stub>> stub =
      Stub(o, ctx);
  if (!stub.ok()) return stub.status();
  grpc::ClientContext call;
  call.set_deadline(ctx.Deadline());
  v1::GetRegisteredAgentRequest req;
  req.set_agent_id(o.agent_id);
  v1::RegisteredAgent a;
  absl::Status s = FromGrpcStatus((*stub)->GetRegisteredAgent(&call, req, &a),
                                  Call(o, "status"));
  if (!s.ok()) return s;
  Table t{{"AGENT", "STATE", "ADDRESS", "EK TRUST", "ACTIVATED"}, {Row(a)}};
  return ctx.MakeOutput().Emit(ToJson(a), t);
}

absl::Status RunDelete(const Options& o, const CommandContext& ctx) {
  absl::StatusOr<std::unique_ptr<v1::RegistrarService::Stub>> stub =
      Stub(o, ctx);
  if (!stub.ok()) return stub.status();
  grpc::ClientContext call;
  call.set_deadline(ctx.Deadline());
  v1::DeleteRegisteredAgentRequest req;
  req.set_agent_id(o.agent_id);
  v1::DeleteRegisteredAgentResponse resp;
  absl::Status s = FromGrpcStatus(
      (*stub)->DeleteRegisteredAgent(&call, req, &resp), Call(o, "delete"));
  if (!s.ok()) return s;
  Table t{{"DELETED"}, {{o.agent_id}}};
  return ctx.MakeOutput().Emit({{"deleted", o.agent_id}}, t);
}

}  // namespace

void RegisterRegistrarCommands(CLI::App& app, CommandRegistry& registry) {
  auto o = std::make_shared<Options>();
  const char* env = std::getenv("CANDOR_REGISTRAR");
  o->address = env != nullptr && *env != '\0' ? env : "localhost:8890";
  CLI::App* group = app.add_subcommand(
      "registrar", "Agents enrolled at the registrar (their TPM identities)");
  group->require_subcommand(1);
  group->add_option("--registrar", o->address,
                    "Registrar address HOST:PORT ($CANDOR_REGISTRAR)")
      ->capture_default_str();
  CLI::App* list = group->add_subcommand("list", "List enrolled agents");
  list->add_option("--state", o->state, "Only agents in this state")
      ->check(CLI::IsMember({"active", "pending"}));
  list->add_option("--page-size", o->page_size, "Agents per request")
      ->check(CLI::Range(1, 1000));
  registry.Bind(list, [o](const CommandContext& ctx) { return RunList(*o, ctx); });
  CLI::App* status =
      group->add_subcommand("status", "Show one agent's registration");
  status->add_option("agent_id", o->agent_id, "Agent id")->required();
  registry.Bind(status,
                [o](const CommandContext& ctx) { return RunStatus(*o, ctx); });
  CLI::App* del = group->add_subcommand(
      "delete",
      "Delete an agent's registration (its TPM identity may then enroll anew)");
  del->add_option("agent_id", o->agent_id, "Agent id")->required();
  registry.Bind(del, [o](const CommandContext& ctx) { return RunDelete(*o, ctx); });
}

}  // namespace candor::tenant
