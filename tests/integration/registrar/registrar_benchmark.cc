// Registrations per second on PostgreSQL, TPM time excluded: Register
// (validation, EK certificate chain, software MakeCredential, one store
// transaction) and Activate (proof check, one store transaction) measured
// separately, by the domain object (Enrollment) and through in-process gRPC,
// with several client threads. EKs, AKs and EK certificates are generated
// before timing (16 of each EK type, shared round-robin by the agent ids);
// Activate's proofs are computed before timing by a software
// ActivateCredential. The database is a harness PostgreSQL 15 cluster
// (private, durability off: fsync and synchronous_commit off), so the
// figures are an upper bound for a durable production database.
//
//   bazel run -c opt //tests/integration/registrar:registrar_benchmark
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "lib/rpc/server.h"
#include "services/registrar/clock.h"
#include "services/registrar/enrollment.h"
#include "services/registrar/registrar_service.h"
#include "services/registrar/store/pg_store.h"
#include "services/registrar/testing/enrollment_fixture.h"
#include "tests/harness/postgres.h"

namespace candor::registrar {
namespace {

constexpr int kKeysPerType = 16;

struct Env {
  testing::TestEkCa ca;
  std::unique_ptr<PgRegistrarStore> store;
  std::unique_ptr<EkTrust> trust;
  std::unique_ptr<Enrollment> enrollment;
  InsecureAllowAllAuthorizer authorizer;
  std::unique_ptr<RegistrarServiceImpl> service;
  std::unique_ptr<rpc::RunningServer> server;
  std::shared_ptr<grpc::Channel> channel;
  // [0] RSA-2048 EKs, [1] ECC P-256 EKs; AKs of the same type.
  std::vector<testing::SoftwareAgent> agents[2];
  std::atomic<int> next_id{0};
  // Pending activations prepared for the Activate benchmarks.
  std::vector<v1::ActivateRequest> activations;
  std::atomic<size_t> next_activation{0};
};
Env* env = nullptr;

absl::Status Setup() {
  env = new Env();
  auto pg = candor::testing::SharedPostgres();
  if (!pg.ok()) return pg.status();
  auto db = (*pg)->CreateDatabase("bench");
  if (!db.ok()) return db.status();
  auto store = PgRegistrarStore::Open(*db, 8);
  if (!store.ok()) return store.status();
  env->store = std::move(*store);
  auto ca = testing::MakeTestEkCa("Bench EK");
  if (!ca.ok()) return ca.status();
  env->ca = std::move(*ca);
  auto trust = EkTrust::Load({env->ca.dir, "", false});
  if (!trust.ok()) return trust.status();
  env->trust = std::make_unique<EkTrust>(std::move(*trust));
  env->enrollment = std::make_unique<Enrollment>(
      env->store.get(), env->trust.get(), Clock::Real(), EnrollmentOptions());
  env->service = std::make_unique<RegistrarServiceImpl>(
      env->enrollment.get(), &env->authorizer, nullptr, nullptr);
  auto server = rpc::StartServer(
      {"127.0.0.1:0",
       nullptr,
       {rpc::ServiceEntry::Of<v1::RegistrarService>(env->service.get())}});
  if (!server.ok()) return server.status();
  env->server = std::move(*server);
  env->channel = grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", env->server->port()),
      grpc::InsecureChannelCredentials(), rpc::ClientChannelArguments());
  for (int type = 0; type < 2; ++type) {
    for (int i = 0; i < kKeysPerType; ++i) {
      testing::AgentOptions o;
      o.ek = type == 0 ? testing::EkKind::kRsa2048 : testing::EkKind::kEccP256;
      o.ak = type == 0 ? testing::AkKind::kRsa2048 : testing::AkKind::kEccP256;
      o.ca = &env->ca;
      o.agent_id = "template";
      o.transport_key = i == 0;   // one RSA keygen is enough to share
      o.tls_certificate = false;  // its SAN would have to be each agent id
      auto a = testing::MakeSoftwareAgent(o);
      if (!a.ok()) return a.status();
      if (i > 0)
        a->transport_public_key = env->agents[type][0].transport_public_key;
      env->agents[type].push_back(std::move(*a));
    }
  }
  return absl::OkStatus();
}

// The n-th agent of `type`: its own id, one of the shared key sets.
v1::RegisterRequest RequestFor(int type, int n, std::string* id) {
  const testing::SoftwareAgent& a = env->agents[type][n % kKeysPerType];
  v1::RegisterRequest r = a.MakeRegisterRequest();
  *id = absl::StrCat(type == 0 ? "rsa-" : "ecc-", n);
  r.mutable_identity()->set_agent_id(*id);
  return r;
}

// Registers `count` agents of `type` and computes their proofs (not timed).
void PrepareActivations(int type, size_t count) {
  env->activations.clear();
  env->next_activation = 0;
  for (size_t i = 0; i < count; ++i) {
    std::string id;
    const int n = env->next_id++;
    auto challenge = env->enrollment->Register(RequestFor(type, n, &id));
    if (!challenge.ok()) {
      std::fprintf(stderr, "prepare: %s\n",
                   std::string(challenge.status().message()).c_str());
      std::abort();
    }
    testing::SoftwareAgent& a = env->agents[type][n % kKeysPerType];
    a.agent_id = id;
    auto req = a.MakeActivateRequest(*challenge);
    if (!req.ok()) std::abort();
    env->activations.push_back(std::move(*req));
  }
}

void BM_Register(benchmark::State& state) {
  const int type = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::string id;
    auto r = env->enrollment->Register(RequestFor(type, env->next_id++, &id));
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Activate(benchmark::State& state) {
  const int type = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    PrepareActivations(type, static_cast<size_t>(state.max_iterations) *
                                 static_cast<size_t>(state.threads()));
  }
  for (auto _ : state) {
    const v1::ActivateRequest& req = env->activations[env->next_activation++];
    auto r = env->enrollment->Activate(req);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RegisterGrpc(benchmark::State& state) {
  const int type = static_cast<int>(state.range(0));
  auto stub = v1::RegistrarService::NewStub(env->channel);
  for (auto _ : state) {
    std::string id;
    grpc::ClientContext ctx;
    v1::RegisterResponse out;
    grpc::Status s =
        stub->Register(&ctx, RequestFor(type, env->next_id++, &id), &out);
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ActivateGrpc(benchmark::State& state) {
  const int type = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    PrepareActivations(type, static_cast<size_t>(state.max_iterations) *
                                 static_cast<size_t>(state.threads()));
  }
  auto stub = v1::RegistrarService::NewStub(env->channel);
  for (auto _ : state) {
    grpc::ClientContext ctx;
    v1::RegisteredAgent out;
    grpc::Status s =
        stub->Activate(&ctx, env->activations[env->next_activation++], &out);
    if (!s.ok()) {
      state.SkipWithError(s.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Arg: 0 = RSA-2048 EK, 1 = ECC P-256 EK. Fixed iterations per thread so
// that the Activate benchmarks can prepare exactly as many challenges.
void Configure(benchmark::internal::Benchmark* b) {
  b->ArgName("ecc")->Arg(0)->Arg(1)->Iterations(400)->UseRealTime();
  for (int t : {1, 2, 4, 8}) b->Threads(t);
}
BENCHMARK(BM_Register)->Apply(Configure);
BENCHMARK(BM_Activate)->Apply(Configure);
BENCHMARK(BM_RegisterGrpc)->Apply(Configure);
BENCHMARK(BM_ActivateGrpc)->Apply(Configure);

}  // namespace
}  // namespace candor::registrar

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  spdlog::set_level(spdlog::level::warn);  // no log line per registration
  absl::Status s = candor::registrar::Setup();
  if (!s.ok()) {
    std::fprintf(stderr, "registrar_benchmark: setup failed: %s\n",
                 s.ToString().c_str());
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
