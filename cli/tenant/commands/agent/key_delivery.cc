#include "cli/tenant/commands/agent/key_delivery.h"

#include <iostream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "candor/v1/agent.grpc.pb.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "cli/tenant/service_client.h"
#include "lib/crypto/x509.h"
#include "lib/payload/key_split.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"

namespace candor::tenant {
namespace {

absl::StatusOr<v1::RegisteredAgent> FetchRegistration(
    const CommandContext& ctx, const KeyDeliveryRequest& r) {
  absl::StatusOr<ServiceClient> registrar =
      ServiceClient::Connect(ctx, "registrar", "--registrar", r.registrar);
  if (!registrar.ok()) return registrar.status();
  auto stub = v1::RegistrarService::NewStub(registrar->channel());
  grpc::ClientContext call;
  call.set_deadline(ctx.Deadline());
  v1::GetRegisteredAgentRequest req;
  req.set_agent_id(r.agent_id);
  v1::RegisteredAgent reg;
  absl::Status s = registrar->Check(stub->GetRegisteredAgent(&call, req, &reg),
                                    "GetRegisteredAgent",
                                    absl::StrCat("agent ", r.agent_id));
  if (!s.ok()) return s;
  if (reg.state() != v1::REGISTRATION_STATE_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat(
        "agent ", r.agent_id, " is registered at the registrar at ",
        r.registrar,
        " but not active yet (it has not completed activation); start the "
        "agent and wait for its activation, then retry"));
  }
  if (reg.identity().transport_public_key().empty()) {
    return absl::FailedPreconditionError(absl::StrCat("the registrar at ",
                                                      r.registrar,
                                                      " has no transport key "
                                                      "for agent ",
                                                      r.agent_id));
  }
  return reg;
}

// mTLS to the agent pinning its registered certificate, or plaintext.
absl::StatusOr<std::shared_ptr<grpc::Channel>> DialAgent(
    const CommandContext& ctx, const v1::RegisteredAgent& reg,
    const std::string& agent_id, const std::string& address) {
  if (ctx.insecure) return rpc::Dial(address, nullptr);
  absl::StatusOr<rpc::TlsClientConfig> tls =
      rpc::LoadTlsClientConfig(pki::CertPath(ctx.certs_dir, "ca"),
                               pki::CertPath(ctx.certs_dir, "tenant"),
                               pki::KeyPath(ctx.certs_dir, "tenant"));
  if (!tls.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(tls.status().message(),
                     " (the tenant's certificates come from "
                     "`tenant certs init --dir ",
                     ctx.certs_dir, "`; --certs DIR)"));
  }
  absl::StatusOr<crypto::OsslPtr<X509>> cert =
      crypto::ParseCertificate(reg.identity().tls_certificate());
  if (!cert.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the TLS certificate the registrar holds for agent ",
                     agent_id, " does not parse: ", cert.status().message()));
  }
  absl::StatusOr<std::string> pem = crypto::CertificateToPem(cert->get());
  if (!pem.ok()) return pem.status();
  tls->root_pem = *std::move(pem);
  tls->target_name = agent_id;
  return rpc::Dial(address, &*tls);
}

}  // namespace

absl::StatusOr<crypto::SecretBytes> DeliverUShare(const CommandContext& ctx,
                                                  const KeyDeliveryRequest& r) {
  absl::StatusOr<std::string> payload = payload::ReadPayload(r.payload_path);
  if (!payload.ok()) {
    return absl::Status(
        payload.status().code(),
        absl::StrCat("--payload: ", payload.status().message()));
  }
  absl::StatusOr<v1::RegisteredAgent> reg = FetchRegistration(ctx, r);
  if (!reg.ok()) return reg.status();
  std::string address =
      r.address_override.empty() ? reg->address() : r.address_override;

  absl::StatusOr<payload::KeySplit> split =
      payload::SplitKey(r.agent_id, *payload);
  if (!split.ok()) return split.status();
  absl::StatusOr<std::string> wrapped_u =
      payload::WrapShare(reg->identity().transport_public_key(), split->u);
  if (!wrapped_u.ok()) {
    return absl::Status(
        wrapped_u.status().code(),
        absl::StrCat("agent ", r.agent_id, "'s registered transport key: ",
                     wrapped_u.status().message()));
  }

  absl::StatusOr<std::shared_ptr<grpc::Channel>> ch =
      DialAgent(ctx, *reg, r.agent_id, address);
  if (!ch.ok()) return ch.status();
  ServiceClient agent(
      *ch, absl::StrCat("agent ", r.agent_id),
      "--address; its TLS certificate must match its registration", address);
  auto stub = v1::AgentService::NewStub(agent.channel());
  grpc::ClientContext call;
  call.set_deadline(ctx.Deadline());
  v1::DeliverKeyShareRequest req;
  req.set_kind(v1::KEY_SHARE_KIND_U);
  req.set_encrypted_share(*wrapped_u);
  req.set_auth_tag(split->auth_tag);
  req.set_encrypted_payload(split->encrypted_payload);
  v1::DeliverKeyShareResponse resp;
  absl::Status s =
      agent.Check(stub->DeliverKeyShare(&call, req, &resp), "DeliverKeyShare");
  if (!s.ok()) return s;
  std::cerr << "tenant: U share" << (payload->empty() ? "" : " and payload")
            << " delivered to agent " << r.agent_id << " at " << address
            << "\n";
  return std::move(split->v);
}

}  // namespace candor::tenant
