#include "cli/tenant/testing/fake_payload_peers.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace candor::tenant::testing {
namespace {

// Builds and starts an insecure server for `service` on a free port.
std::unique_ptr<grpc::Server> Serve(
    grpc::Service* service, std::shared_ptr<grpc::ServerCredentials> creds,
    std::string* address) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(
      "127.0.0.1:0",
      creds != nullptr ? creds : grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return nullptr;
  *address = absl::StrCat("127.0.0.1:", port);
  return server;
}

void Stop(grpc::Server* server) {
  if (server != nullptr) {
    server->Shutdown(std::chrono::system_clock::now() +
                     std::chrono::seconds(2));
  }
}

}  // namespace

std::unique_ptr<FakeRegistrar> FakeRegistrar::Start(
    std::shared_ptr<grpc::ServerCredentials> creds) {
  auto f = std::make_unique<FakeRegistrar>();
  f->server_ = Serve(f.get(), std::move(creds), &f->address_);
  if (f->server_ == nullptr) return nullptr;
  return f;
}

FakeRegistrar::~FakeRegistrar() { Stop(server_.get()); }

void FakeRegistrar::Put(const v1::RegisteredAgent& agent) {
  std::lock_guard<std::mutex> l(mu_);
  agents_[agent.identity().agent_id()] = agent;
}

grpc::Status FakeRegistrar::GetRegisteredAgent(
    grpc::ServerContext*, const v1::GetRegisteredAgentRequest* req,
    v1::RegisteredAgent* out) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = agents_.find(req->agent_id());
  if (it == agents_.end()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no agent '", req->agent_id(), "'"));
  }
  *out = it->second;
  return grpc::Status::OK;
}

std::unique_ptr<FakeAgent> FakeAgent::Start(
    std::shared_ptr<grpc::ServerCredentials> creds) {
  auto f = std::make_unique<FakeAgent>();
  f->server_ = Serve(f.get(), std::move(creds), &f->address_);
  if (f->server_ == nullptr) return nullptr;
  return f;
}

FakeAgent::~FakeAgent() { Stop(server_.get()); }

std::vector<v1::DeliverKeyShareRequest> FakeAgent::received() {
  std::lock_guard<std::mutex> l(mu_);
  return received_;
}

grpc::Status FakeAgent::DeliverKeyShare(grpc::ServerContext*,
                                        const v1::DeliverKeyShareRequest* req,
                                        v1::DeliverKeyShareResponse* out) {
  std::lock_guard<std::mutex> l(mu_);
  received_.push_back(*req);
  out->mutable_result()->set_detail("waiting for the V share");
  return grpc::Status::OK;
}

}  // namespace candor::tenant::testing
