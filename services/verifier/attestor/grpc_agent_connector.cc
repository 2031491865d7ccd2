#include "services/verifier/attestor/grpc_agent_connector.h"

#include <grpcpp/grpcpp.h>
#include <openssl/crypto.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "candor/v1/agent.grpc.pb.h"
#include "lib/crypto/x509.h"
#include "lib/rpc/server.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {
namespace {

// One call's state, alive until its callback ran.
template <typename Req, typename Resp>
struct Call {
  grpc::ClientContext context;
  Req request;
  Resp response;
  Done<Resp> done;
};

class GrpcAgentConnection : public AgentConnection {
 public:
  GrpcAgentConnection(std::shared_ptr<grpc::Channel> channel,
                      std::string agent_id)
      : stub_(v1::AgentService::NewStub(channel)),
        agent_id_(std::move(agent_id)) {}

  void GetQuote(const v1::GetQuoteRequest& request, absl::Duration timeout,
                Done<v1::GetQuoteResponse> done) override {
    Start<v1::GetQuoteRequest, v1::GetQuoteResponse>(
        request, timeout, std::move(done), "GetQuote",
        [this](grpc::ClientContext* c, const v1::GetQuoteRequest* q,
               v1::GetQuoteResponse* r, std::function<void(grpc::Status)> f) {
          stub_->async()->GetQuote(c, q, r, std::move(f));
        });
  }
  void DeliverKeyShare(const v1::DeliverKeyShareRequest& request,
                       absl::Duration timeout,
                       Done<v1::DeliverKeyShareResponse> done) override {
    Start<v1::DeliverKeyShareRequest, v1::DeliverKeyShareResponse>(
        request, timeout, std::move(done), "DeliverKeyShare",
        [this](grpc::ClientContext* c, const v1::DeliverKeyShareRequest* q,
               v1::DeliverKeyShareResponse* r,
               std::function<void(grpc::Status)> f) {
          stub_->async()->DeliverKeyShare(c, q, r, std::move(f));
        });
  }
  void Notify(const v1::NotifyRequest& request, absl::Duration timeout,
              Done<v1::NotifyResponse> done) override {
    Start<v1::NotifyRequest, v1::NotifyResponse>(
        request, timeout, std::move(done), "Notify",
        [this](grpc::ClientContext* c, const v1::NotifyRequest* q,
               v1::NotifyResponse* r, std::function<void(grpc::Status)> f) {
          stub_->async()->Notify(c, q, r, std::move(f));
        });
  }

 private:
  template <typename Req, typename Resp, typename Invoke>
  void Start(const Req& request, absl::Duration timeout, Done<Resp> done,
             const char* rpc, Invoke invoke) {
    auto* call = new Call<Req, Resp>;
    call->request = request;
    call->done = std::move(done);
    call->context.set_deadline(std::chrono::system_clock::now() +
                               absl::ToChronoMilliseconds(timeout));
    std::string what = absl::StrCat("agent ", agent_id_, " (", rpc, ")");
    invoke(&call->context, &call->request, &call->response,
           [call, what](grpc::Status s) {
             std::unique_ptr<Call<Req, Resp>> owned(call);
             if (s.ok()) {
               owned->done(std::move(owned->response));
             } else {
               owned->done(FromGrpcStatus(s, what));
             }
           });
  }

  std::unique_ptr<v1::AgentService::Stub> stub_;
  std::string agent_id_;
};

// Makes gRPC take its callback completion queue once and never release it:
// a channel that ran one callback call keeps a reference until it is
// destroyed, and this one never is.
void PinCallbackCompletionQueue() {
  struct Pin {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::AgentService::Stub> stub;
    Call<v1::GetIdentityRequest, v1::GetIdentityResponse> call;
  };
  // Reachable for the life of the process (never destroyed on purpose).
  static Pin* const pin = [] {
    auto* p = new Pin;
    p->channel = grpc::CreateChannel("unix:/nonexistent/candor-pin",
                                     grpc::InsecureChannelCredentials());
    p->stub = v1::AgentService::NewStub(p->channel);
    p->call.context.set_deadline(std::chrono::system_clock::now());
    absl::Notification done;
    p->stub->async()->GetIdentity(&p->call.context, &p->call.request,
                                  &p->call.response,
                                  [&done](grpc::Status) { done.Notify(); });
    done.WaitForNotification();
    return p;
  }();
  (void)pin;
}

}  // namespace

GrpcAgentConnector::GrpcAgentConnector(
    std::optional<rpc::TlsClientConfig> client)
    : client_(std::move(client)) {
  PinCallbackCompletionQueue();
}

absl::StatusOr<std::shared_ptr<AgentConnection>> GrpcAgentConnector::Connect(
    const std::string& agent_id, const std::string& address,
    const std::string& tls_certificate) {
  grpc::ChannelArguments args = rpc::ClientChannelArguments();
  if (!client_.has_value()) {
    // Plaintext (--insecure): no SNI, so say who is meant in :authority
    // (one process may serve many agents on one port, e.g. tools/agent_sim).
    args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, agent_id);
    return std::make_shared<GrpcAgentConnection>(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                  args),
        agent_id);
  }
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<X509> cert,
                        crypto::ParseCertificate(tls_certificate),
                        _ << "agent " << agent_id << " TLS certificate");
  ABSL_ASSIGN_OR_RETURN(std::string pem, crypto::CertificateToPem(cert.get()));
  // Trust exactly the agent's registered certificate, as the agent id.
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = std::move(pem);
  opts.pem_cert_chain = client_->cert_pem;
  opts.pem_private_key = std::string(client_->key_pem.view());
  args.SetSslTargetNameOverride(agent_id);
  auto channel =
      grpc::CreateCustomChannel(address, grpc::SslCredentials(opts), args);
  OPENSSL_cleanse(opts.pem_private_key.data(), opts.pem_private_key.size());
  return std::make_shared<GrpcAgentConnection>(std::move(channel), agent_id);
}

}  // namespace candor::verifier
