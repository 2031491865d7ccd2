// `tenant policy add|update|show|list|delete`: named policies at the
// verifier (see policy_commands.h).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "candor/v1/verifier.grpc.pb.h"
#include "cli/tenant/commands/policy/subcommands.h"
#include "cli/tenant/proto_format.h"
#include "cli/tenant/service_client.h"
#include "lib/crypto/digest.h"

namespace candor::tenant {
namespace {

using Stub = v1::VerifierService::Stub;

struct RemoteOptions {
  std::string verifier;
  std::string name;
  std::string kind;
  std::string file;
  uint32_t version = 0;
  bool content = false;
};

nlohmann::json VersionJson(const v1::PolicyVersion& p) {
  nlohmann::json j = ProtoJson(p);
  // Hex reads better than the proto JSON's base64 for a digest.
  j["sha256"] = absl::BytesToHexString(p.sha256());
  return j;
}

Table VersionTable(const std::vector<v1::PolicyVersion>& versions) {
  Table t{{"NAME", "KIND", "VERSION", "SHA256", "SIZE", "CREATED", "AGENTS"},
          {}};
  for (const v1::PolicyVersion& p : versions) {
    t.rows.push_back(
        {p.name(), PolicyKindName(p.kind()), absl::StrCat(p.version()),
         absl::BytesToHexString(p.sha256()), absl::StrCat(p.size_bytes()),
         FormatTime(p.created_at()), absl::StrCat(p.agents_using())});
  }
  return t;
}

std::string Subject(const RemoteOptions& o) {
  return absl::StrCat(
      "policy ", o.name,
      o.version == 0 ? "" : absl::StrCat(" version ", o.version));
}

template <typename Body>
absl::Status WithVerifier(const RemoteOptions& o, const CommandContext& ctx,
                          Body body) {
  absl::StatusOr<ServiceClient> v = ConnectVerifier(ctx, o.verifier);
  if (!v.ok()) return v.status();
  std::unique_ptr<Stub> stub = v1::VerifierService::NewStub(v->channel());
  return body(*v, *stub);
}

absl::Status RunAdd(const RemoteOptions& o, const CommandContext& ctx) {
  absl::StatusOr<v1::PolicyKind> kind = ParsePolicyKind(o.kind);
  if (!kind.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--kind: ", kind.status().message()));
  }
  absl::StatusOr<std::string> content = ReadInputFile("--file", o.file);
  if (!content.ok()) return content.status();
  v1::CreatePolicyRequest req;
  req.set_name(o.name);
  req.set_kind(*kind);
  req.set_expected_sha256(crypto::Sha256(*content));
  req.set_content(*std::move(content));
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::PolicyVersion out;
    absl::Status s =
        v.Check(stub.CreatePolicy(&call, req, &out), "CreatePolicy");
    if (!s.ok()) return s;
    return ctx.MakeOutput().Emit(VersionJson(out), VersionTable({out}));
  });
}

absl::Status RunUpdate(const RemoteOptions& o, const CommandContext& ctx) {
  absl::StatusOr<std::string> content = ReadInputFile("--file", o.file);
  if (!content.ok()) return content.status();
  v1::UpdatePolicyRequest req;
  req.set_name(o.name);
  req.set_expected_sha256(crypto::Sha256(*content));
  req.set_content(*std::move(content));
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::PolicyVersion out;
    absl::Status s = v.Check(stub.UpdatePolicy(&call, req, &out),
                             "UpdatePolicy", Subject(o));
    if (!s.ok()) return s;
    return ctx.MakeOutput().Emit(VersionJson(out), VersionTable({out}));
  });
}

absl::Status RunShow(const RemoteOptions& o, const CommandContext& ctx) {
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::GetPolicyRequest req;
    req.set_name(o.name);
    req.set_version(o.version);
    req.set_include_content(o.content);
    v1::GetPolicyResponse out;
    absl::Status s =
        v.Check(stub.GetPolicy(&call, req, &out), "GetPolicy", Subject(o));
    if (!s.ok()) return s;
    if (o.content) return ctx.MakeOutput().EmitText(out.content());
    return ctx.MakeOutput().Emit(VersionJson(out.policy()),
                                 VersionTable({out.policy()}));
  });
}

absl::Status RunList(const RemoteOptions& o, const CommandContext& ctx) {
  v1::ListPoliciesRequest req;
  if (!o.kind.empty()) {
    absl::StatusOr<v1::PolicyKind> kind = ParsePolicyKind(o.kind);
    if (!kind.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--kind: ", kind.status().message()));
    }
    req.set_kind(*kind);
  }
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    std::vector<v1::PolicyVersion> all;
    nlohmann::json j = nlohmann::json::array();
    do {
      grpc::ClientContext call;
      call.set_deadline(ctx.Deadline());
      v1::ListPoliciesResponse resp;
      absl::Status s =
          v.Check(stub.ListPolicies(&call, req, &resp), "ListPolicies");
      if (!s.ok()) return s;
      for (const v1::PolicyVersion& p : resp.policies()) {
        all.push_back(p);
        j.push_back(VersionJson(p));
      }
      if (!resp.next_page_token().empty() &&
          resp.next_page_token() == req.page_token()) {
        return absl::InternalError(
            absl::StrCat("verifier at ", v.address(),
                         " (ListPolicies) returned the same "
                         "page token twice"));
      }
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return ctx.MakeOutput().Emit(j, VersionTable(all));
  });
}

absl::Status RunDelete(const RemoteOptions& o, const CommandContext& ctx) {
  return WithVerifier(o, ctx, [&](const ServiceClient& v, Stub& stub) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    v1::DeletePolicyRequest req;
    req.set_name(o.name);
    v1::DeletePolicyResponse resp;
    absl::Status s = v.Check(stub.DeletePolicy(&call, req, &resp),
                             "DeletePolicy", Subject(o));
    if (!s.ok()) return s;
    return ctx.MakeOutput().Emit({{"deleted", o.name}},
                                 Table{{"DELETED"}, {{o.name}}});
  });
}

CLI::App* Leaf(CLI::App* group, const char* name, const char* help,
               RemoteOptions* o, bool with_name) {
  CLI::App* sub = group->add_subcommand(name, help);
  if (with_name) sub->add_option("name", o->name, "Policy name")->required();
  AddVerifierOption(sub, &o->verifier);
  return sub;
}

}  // namespace

void RegisterPolicyRemote(CLI::App* group, CommandRegistry& registry) {
  auto o = std::make_shared<RemoteOptions>();
  CLI::App* add =
      Leaf(group, "add", "Store a new named policy at the verifier (version 1)",
           o.get(), true);
  add->add_option("--kind", o->kind, "runtime or boot")->required();
  add->add_option("--file", o->file, "The policy document (JSON)")->required();
  registry.Bind(add,
                [o](const CommandContext& ctx) { return RunAdd(*o, ctx); });

  CLI::App* update =
      Leaf(group, "update", "Store new content as the policy's next version",
           o.get(), true);
  update->add_option("--file", o->file, "The policy document (JSON)")
      ->required();
  registry.Bind(update,
                [o](const CommandContext& ctx) { return RunUpdate(*o, ctx); });

  CLI::App* show = Leaf(group, "show", "Show a policy version", o.get(), true);
  show->add_option("--version", o->version, "Version (default: the latest)");
  show->add_flag("--content", o->content,
                 "Print the policy document itself (whatever -o says)");
  registry.Bind(show,
                [o](const CommandContext& ctx) { return RunShow(*o, ctx); });

  CLI::App* list =
      Leaf(group, "list", "List policies at the verifier (latest versions)",
           o.get(), false);
  list->add_option("--kind", o->kind, "Only runtime or boot policies");
  registry.Bind(list,
                [o](const CommandContext& ctx) { return RunList(*o, ctx); });

  CLI::App* del = Leaf(group, "delete", "Delete a policy and all its versions",
                       o.get(), true);
  registry.Bind(del,
                [o](const CommandContext& ctx) { return RunDelete(*o, ctx); });
}

}  // namespace candor::tenant
