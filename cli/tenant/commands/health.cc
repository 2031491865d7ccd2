#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/tenant/commands/commands.h"
#include "cli/tenant/exit_codes.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "lib/status/grpc_status.h"

namespace candor::tenant {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

struct HealthOptions {
  std::string address;
  std::vector<std::string> services;
};

absl::Status RunHealth(const HealthOptions& opts, const CommandContext& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      ctx.Dial(opts.address);
  if (!channel.ok()) return channel.status();
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  std::vector<std::string> services = {""};
  services.insert(services.end(), opts.services.begin(), opts.services.end());
  nlohmann::json j = {{"address", opts.address},
                      {"services", nlohmann::json::array()}};
  Table t{{"SERVICE", "STATUS"}, {}};
  bool all_serving = true;
  for (const std::string& service : services) {
    grpc::ClientContext call;
    call.set_deadline(ctx.Deadline());
    HealthCheckRequest req;
    req.set_service(service);
    HealthCheckResponse resp;
    grpc::Status st = stub->Check(&call, req, &resp);
    std::string status;
    if (st.ok()) {
      status = HealthCheckResponse::ServingStatus_Name(resp.status());
    } else if (st.error_code() == grpc::StatusCode::NOT_FOUND) {
      status = "SERVICE_UNKNOWN";
    } else {
      return FromGrpcStatus(
          st, absl::StrCat("grpc.health.v1.Health/Check at ", opts.address));
    }
    if (status != "SERVING") all_serving = false;
    std::string name = service.empty() ? "(server)" : service;
    j["services"].push_back({{"service", name}, {"status", status}});
    t.rows.push_back({name, status});
  }
  absl::Status s = ctx.MakeOutput().Emit(j, t);
  if (!s.ok()) return s;
  if (!all_serving) {
    return CheckFailedError(absl::StrCat(opts.address, " is not serving"));
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterHealthCommands(CLI::App& app, CommandRegistry& registry,
                            const CommandContext& context) {
  auto opts = std::make_shared<HealthOptions>();
  CLI::App* sub = app.add_subcommand(
      "health",
      "Ask a Candor server (agent, registrar, verifier) for its gRPC health "
      "status; exit 1 unless everything asked for is SERVING");
  sub->add_option("--address", opts->address, "Server address HOST:PORT")
      ->required();
  sub->add_option("--service", opts->services,
                  "Also check this fully qualified service, e.g. "
                  "candor.v1.RegistrarService (repeatable)");
  registry.Bind(sub, [opts, &context](const CommandContext&) {
    return RunHealth(*opts, context);
  });
}

}  // namespace candor::tenant
