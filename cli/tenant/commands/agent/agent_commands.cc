#include "cli/tenant/commands/agent/agent_commands.h"

#include <openssl/crypto.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "cli/tenant/commands/agent/agent_config.h"
#include "cli/tenant/commands/agent/agent_view.h"
#include "cli/tenant/commands/agent/key_delivery.h"
#include "cli/tenant/exit_codes.h"
#include "cli/tenant/proto_format.h"
#include "cli/tenant/service_client.h"

namespace candor::tenant {
namespace {

using Stub = v1::VerifierService::Stub;

struct Options {
  std::string verifier;
  std::string agent_id;
  // add / update
  AgentConfigFlags config;
  std::string registrar;
  std::string payload;
  CLI::Option* payload_opt = nullptr;
  // list
  std::vector<std::string> states;
  uint32_t page_size = 0;
  std::string page_token;
  CLI::Option* page_token_opt = nullptr;
};

std::string AgentSubject(const Options& o) {
  return absl::StrCat("agent ", o.agent_id);
}

// Runs `body` with a verifier client and stub.
template <typename Body>
absl::Status WithVerifier(const Options& o, const CommandContext& ctx,
                          Body body) {
  absl::StatusOr<ServiceClient> v = ConnectVerifier(ctx, o.verifier);
  if (!v.ok()) return v.status();
  std::unique_ptr<Stub> stub = v1::VerifierService::NewStub(v->channel());
  return body(*v, *stub);
}

absl::Status EmitAgent(const CommandContext& ctx, const v1::Agent& a) {
  return ctx.MakeOutput().Emit(AgentJson(a), AgentDetailTable(a));
}

absl::Status RunAdd(const Options& o, const CommandContext& ctx) {
  v1::AddAgentRequest req;
  req.mutable_agent()->set_agent_id(o.agent_id);
  absl::Status s = ApplyAgentConfig(o.config, req.mutable_agent(), nullptr);
  if (!s.ok()) return s;
  bool with_payload = o.payload_opt->count() > 0;
  if (with_payload && o.registrar.empty()) {
    return UsageError(
        "--payload needs --registrar HOST:PORT (or $CANDOR_REGISTRAR): the "
        "agent's transport key and certificate come from its registration");
  }
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    if (with_payload) {
      KeyDeliveryRequest kd{o.agent_id, o.registrar, o.config.address,
                            o.payload};
      absl::StatusOr<crypto::SecretBytes> vshare = DeliverUShare(ctx, kd);
      if (!vshare.ok()) return vshare.status();
      req.set_v_share(std::string(vshare->view()));
    }
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::Agent out;
    absl::Status st = v.Check(stub.AddAgent(&call, req, &out), "AddAgent");
    // The V share was copied into the request; wipe it either way.
    if (!req.v_share().empty()) {
      OPENSSL_cleanse(req.mutable_v_share()->data(), req.v_share().size());
    }
    if (!st.ok()) {
      if (with_payload) {
        return absl::Status(
            st.code(), absl::StrCat(st.message(),
                                    " (the U share was delivered; running "
                                    "`agent add` again sends fresh shares)"));
      }
      return st;
    }
    return EmitAgent(ctx, out);
  });
}

absl::Status RunUpdate(const Options& o, const CommandContext& ctx) {
  v1::UpdateAgentRequest req;
  req.mutable_agent()->set_agent_id(o.agent_id);
  absl::Status s = ApplyAgentConfig(o.config, req.mutable_agent(),
                                    req.mutable_update_mask());
  if (!s.ok()) return s;
  if (req.update_mask().paths().empty()) {
    return UsageError(
        "agent update: nothing to change; give at least one of --address, "
        "--runtime-policy, --boot-policy, --quote-interval, --pcr-policy, "
        "--pcrs, --metadata");
  }
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::Agent out;
    absl::Status st = v.Check(stub.UpdateAgent(&call, req, &out), "UpdateAgent",
                              AgentSubject(o));
    if (!st.ok()) return st;
    return EmitAgent(ctx, out);
  });
}

// status, stop, reactivate: one id in, one agent out.
template <typename Request, typename Method>
absl::Status RunSimple(const Options& o, const CommandContext& ctx,
                       const char* rpc, Method method) {
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    Request req;
    req.set_agent_id(o.agent_id);
    v1::Agent out;
    absl::Status st =
        v.Check((stub.*method)(&call, req, &out), rpc, AgentSubject(o));
    if (!st.ok()) return st;
    return EmitAgent(ctx, out);
  });
}

absl::Status RunDelete(const Options& o, const CommandContext& ctx) {
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::DeleteAgentRequest req;
    req.set_agent_id(o.agent_id);
    v1::DeleteAgentResponse resp;
    absl::Status st = v.Check(stub.DeleteAgent(&call, req, &resp),
                              "DeleteAgent", AgentSubject(o));
    if (!st.ok()) return st;
    return ctx.MakeOutput().Emit({{"deleted", o.agent_id}},
                                 Table{{"DELETED"}, {{o.agent_id}}});
  });
}

absl::Status RunList(const Options& o, const CommandContext& ctx) {
  v1::ListAgentsRequest req;
  req.set_page_size(o.page_size);
  for (const std::string& s : o.states) {
    absl::StatusOr<v1::OperationalState> st = ParseState(s);
    if (!st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--state: ", st.status().message()));
    }
    req.add_states(*st);
  }
  bool one_page = o.page_token_opt->count() > 0;
  req.set_page_token(o.page_token);
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    std::vector<v1::Agent> agents;
    nlohmann::json list = nlohmann::json::array();
    std::string next;
    while (true) {
      grpc::ClientContext call;
      call.set_deadline(ctx.Deadline());
      v1::ListAgentsResponse resp;
      absl::Status st =
          v.Check(stub.ListAgents(&call, req, &resp), "ListAgents");
      if (!st.ok()) return st;
      for (const v1::Agent& a : resp.agents()) {
        agents.push_back(a);
        list.push_back(AgentJson(a));
      }
      next = resp.next_page_token();
      if (one_page || next.empty()) break;
      if (next == req.page_token()) {
        return absl::InternalError(
            absl::StrCat("verifier at ", v.address(),
                         " (ListAgents) returned the same "
                         "page token twice"));
      }
      req.set_page_token(next);
    }
    if (one_page && !next.empty() &&
        ctx.MakeOutput().format() == OutputFormat::kTable) {
      std::cerr << "tenant: more agents: --page-token " << next << "\n";
    }
    return ctx.MakeOutput().Emit(
        {{"agents", list}, {"next_page_token", one_page ? next : ""}},
        AgentListTable(agents));
  });
}

CLI::App* Leaf(CLI::App* group, const char* name, const char* help, Options* o,
               bool with_id) {
  CLI::App* sub = group->add_subcommand(name, help);
  if (with_id) sub->add_option("agent_id", o->agent_id, "Agent id")->required();
  AddVerifierOption(sub, &o->verifier);
  return sub;
}

}  // namespace

void RegisterAgentCommands(CLI::App& app, CommandRegistry& registry) {
  CLI::App* group = app.add_subcommand(
      "agent",
      "Agents attested by the verifier: add, update, status, list, "
      "stop, reactivate, delete");
  group->require_subcommand(1);

  auto add = std::make_shared<Options>();
  CLI::App* add_cmd = Leaf(group, "add",
                           "Start attesting a registered agent (optionally "
                           "provisioning a secure payload)",
                           add.get(), true);
  AddAgentConfigOptions(add_cmd, &add->config);
  const char* reg_env = std::getenv("CANDOR_REGISTRAR");
  if (reg_env != nullptr) add->registrar = reg_env;
  add_cmd->add_option("--registrar", add->registrar,
                      "Registrar address HOST:PORT, for --payload "
                      "($CANDOR_REGISTRAR)");
  add->payload_opt = add_cmd->add_option(
      "--payload", add->payload,
      "Provision this file, or this directory as a tar archive, to the agent "
      "(U/V key split; an autorun.sh in it is started)");
  registry.Bind(add_cmd,
                [add](const CommandContext& ctx) { return RunAdd(*add, ctx); });

  auto upd = std::make_shared<Options>();
  CLI::App* upd_cmd = Leaf(
      group, "update", "Change an agent's configuration (only the flags given)",
      upd.get(), true);
  AddAgentConfigOptions(upd_cmd, &upd->config);
  registry.Bind(upd_cmd, [upd](const CommandContext& ctx) {
    return RunUpdate(*upd, ctx);
  });

  auto one = std::make_shared<Options>();
  registry.Bind(
      Leaf(group, "status",
           "Show an agent: state, severity, last failure, counts, policies",
           one.get(), true),
      [one](const CommandContext& ctx) {
        return RunSimple<v1::GetAgentRequest>(*one, ctx, "GetAgent",
                                              &Stub::GetAgent);
      });
  registry.Bind(
      Leaf(group, "stop", "Stop attesting an agent (state STOPPED), keep it",
           one.get(), true),
      [one](const CommandContext& ctx) {
        return RunSimple<v1::StopAgentRequest>(*one, ctx, "StopAgent",
                                               &Stub::StopAgent);
      });
  registry.Bind(
      Leaf(group, "reactivate",
           "Resume attesting a FAILED or STOPPED agent (state PENDING)",
           one.get(), true),
      [one](const CommandContext& ctx) {
        return RunSimple<v1::ReactivateAgentRequest>(
            *one, ctx, "ReactivateAgent", &Stub::ReactivateAgent);
      });
  registry.Bind(
      Leaf(group, "delete",
           "Stop attesting and forget an agent (its registration "
           "stays at the registrar)",
           one.get(), true),
      [one](const CommandContext& ctx) { return RunDelete(*one, ctx); });

  auto list = std::make_shared<Options>();
  CLI::App* list_cmd =
      Leaf(group, "list", "List agents at the verifier", list.get(), false);
  list_cmd
      ->add_option("--state", list->states,
                   "Only agents in these states (pending, attesting, "
                   "unreachable, failed, stopped; comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  list_cmd
      ->add_option("--page-size", list->page_size,
                   "Agents per request (the verifier's default: 100)")
      ->check(CLI::Range(1, 1000));
  list->page_token_opt = list_cmd->add_option(
      "--page-token", list->page_token,
      "Print only the page at this token (\"\" for the first) and the next "
      "page's token");
  registry.Bind(list_cmd, [list](const CommandContext& ctx) {
    return RunList(*list, ctx);
  });
}

}  // namespace candor::tenant
