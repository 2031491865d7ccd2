// The agent simulator end to end, as a load test uses it: a real registrar
// (mTLS, PostgreSQL, --ek_ca_dir = the simulator's EK CA, accepting
// simulated agents), the simulator enrolling AGENT_SIM_COUNT (default 50)
// virtual agents, then verifier-side calls over mTLS with the verifier
// certificate, each agent's registered TLS certificate pinned and the agent
// id as target name, checked with lib/attest's whole cycle (quote, IMA
// against the written policy, PCR 16 binding). Then the stdin commands:
// tampering is found by the same checks, a stopped agent is UNAVAILABLE.
// Prints the startup time and the simulator's VmRSS (the load figures of
// tools/agent_sim/README.md come from this test with AGENT_SIM_COUNT=2000).
#include <grpcpp/grpcpp.h>
#include <openssl/rand.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "candor/v1/agent.grpc.pb.h"
#include "candor/v1/registrar.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/attest/attest_state.h"
#include "lib/attest/cycle.h"
#include "lib/common/file_util.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/x509.h"
#include "lib/pki/pki.h"
#include "lib/policy/runtime/runtime_policy.h"
#include "lib/quote/ak_verifier.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "tests/harness/ports.h"
#include "tests/harness/postgres.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"
#include "tests/integration/agent_sim/sim_process.h"

namespace candor {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string Tmp(const std::string& name) {
  return testing::TestTmpRoot() + "/" + name;
}
std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/candor/", path);
}
uint64_t Count() {
  uint64_t n = 50;
  const char* env = std::getenv("AGENT_SIM_COUNT");
  if (env != nullptr) {
    EXPECT_TRUE(absl::SimpleAtoi(env, &n)) << env;
  }
  return n;
}
std::string VmRss(pid_t pid) {
  auto status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!status.ok()) return "?";
  size_t at = status->find("VmRSS:");
  if (at == std::string::npos) return "?";
  return status->substr(at, status->find('\n', at) - at);
}

class AgentSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = testing::SharedPostgres();
    CANDOR_REQUIRE_RESOURCE(pg);
    auto db = (*pg)->CreateDatabase("agentsim");
    ASSERT_TRUE(db.ok()) << db.status();
    conninfo_ = *db;
    pki_ = Tmp("agent-sim-pki");
    pki::InitOptions o;
    o.dir = pki_;
    o.overwrite = true;
    ASSERT_TRUE(pki::InitPki(o).ok());
    auto rp = testing::PickFreePort();
    ASSERT_TRUE(rp.ok());
    registrar_port_ = *rp;
  }

  std::unique_ptr<testing::Subprocess> StartRegistrar() {
    testing::SubprocessOptions o;
    o.argv = {Runfile("services/registrar/registrar"),
              absl::StrCat("--listen=127.0.0.1:", registrar_port_),
              "--tls_cert=" + pki::CertPath(pki_, "registrar"),
              "--tls_key=" + pki::KeyPath(pki_, "registrar"),
              "--tls_ca=" + pki::CertPath(pki_, "ca"),
              "--database=" + conninfo_,
              "--ek_ca_dir=" + Tmp("sim-ek-ca"),
              "--accept_simulated",
              "--register_rate=0"};
    o.stdout_path = Tmp("agent-sim-registrar.log");
    auto p = testing::Subprocess::Start(o);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? std::move(*p) : nullptr;
  }

  std::unique_ptr<v1::RegistrarService::Stub> Registrar() {
    auto cfg = rpc::LoadTlsClientConfig(pki::CertPath(pki_, "ca"),
                                        pki::CertPath(pki_, "tenant"),
                                        pki::KeyPath(pki_, "tenant"));
    EXPECT_TRUE(cfg.ok()) << cfg.status();
    cfg->target_name = "localhost";
    return v1::RegistrarService::NewStub(
        rpc::Dial(absl::StrCat("127.0.0.1:", registrar_port_), &*cfg));
  }

  // A verifier-side stub for `agent`: its registered certificate pinned,
  // the agent id as TLS target name; `role` "verifier" or "tenant".
  std::unique_ptr<v1::AgentService::Stub> Agent(const v1::RegisteredAgent& a,
                                                const std::string& role) {
    auto cert = crypto::ParseCertificate(a.identity().tls_certificate());
    EXPECT_TRUE(cert.ok());
    rpc::TlsClientConfig cfg;
    cfg.root_pem = *crypto::CertificateToPem(cert->get());
    cfg.cert_pem = *ReadFile(pki::CertPath(pki_, role));
    cfg.key_pem = crypto::SecretBytes(*ReadFile(pki::KeyPath(pki_, role)));
    cfg.target_name = a.identity().agent_id();
    return v1::AgentService::NewStub(rpc::Dial(a.address(), &cfg));
  }

  std::string conninfo_, pki_;
  int registrar_port_ = 0;
};

// One verifier cycle for `a` from `state`; the result.
absl::StatusOr<attest::CycleResult> Attest(
    v1::AgentService::Stub& stub, const v1::RegisteredAgent& a,
    const attest::AgentAttestationState& state,
    const policy::RuntimePolicy& policy, grpc::Status* rpc_status = nullptr) {
  tpm::PcrSelection sel = {
      {TPM2_ALG_SHA256, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16}}};
  std::string nonce(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), 32);
  v1::GetQuoteRequest req;
  v1::EvidenceRequest* er = req.mutable_request();
  er->set_nonce(nonce);
  *er->mutable_pcr_selections() = *convert::SelectionToProto(sel);
  er->set_ima_start_entry(attest::ImaStartEntry(state));
  er->set_want_boot_log(attest::WantBootLog(state));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::GetQuoteResponse resp;
  grpc::Status s = stub.GetQuote(&ctx, req, &resp);
  if (rpc_status != nullptr) *rpc_status = s;
  if (!s.ok()) return FromGrpcStatus(s, "GetQuote");
  auto ak = quote::AkVerifier::Create(a.identity().ak_public());
  if (!ak.ok()) return ak.status();
  attest::CycleInput in;
  in.state = &state;
  in.ak = ak->get();
  in.nonce = nonce;
  in.requested = &sel;
  in.evidence = &resp.evidence();
  in.runtime = &policy;
  // README "Transport key binding": H(0^32 || H(transport key DER)).
  in.expected_pcr16 = {
      {TPM2_ALG_SHA256,
       crypto::Sha256(std::string(32, '\0') +
                      crypto::Sha256(a.identity().transport_public_key()))}};
  return attest::EvaluateCycle(in);
}

std::vector<std::string> Ids(const std::vector<v1::Failure>& fs) {
  std::vector<std::string> ids;
  for (const v1::Failure& f : fs) ids.push_back(f.id());
  return ids;
}

TEST_F(AgentSimTest, EnrollsServesAndIsTamperedOnCommand) {
  const uint64_t count = Count();
  const std::string policy_path = Tmp("agent-sim-policy.json");
  const std::string sim_log = Tmp("agent-sim.log");
  const absl::Time t0 = absl::Now();
  auto sim = testing::SimProcess::Start(
      {Runfile("tools/agent_sim/agent_sim"), absl::StrCat("--count=", count),
       "--listen=127.0.0.1:0", "--id_prefix=it",
       absl::StrCat("--registrar=localhost:", registrar_port_),
       "--ca=" + pki::CertPath(pki_, "ca"), "--ek_ca_out=" + Tmp("sim-ek-ca"),
       "--policy_out=" + policy_path, "--ima_initial=300",
       "--ima_growth_per_minute=30", "--ima_pool=500", "--threads=2"},
      sim_log);
  ASSERT_TRUE(sim.ok()) << sim.status();
  // The simulator writes its EK CA before enrolling (and retries while the
  // registrar is down); the registrar loads the CA directory at start.
  absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (!ReadFile(Tmp("sim-ek-ca/agent-sim-ek-ca.pem")).ok()) {
    ASSERT_LT(absl::Now(), deadline) << testing::FileTail(sim_log);
    ASSERT_FALSE((*sim)->Wait(absl::ZeroDuration()).ok())
        << testing::FileTail(sim_log);
    absl::SleepFor(absl::Milliseconds(20));  // polling for the file
  }
  auto registrar = StartRegistrar();
  ASSERT_NE(registrar, nullptr);
  auto ready = (*sim)->ReadLine(absl::Seconds(600));
  ASSERT_TRUE(ready.ok()) << ready.status() << testing::FileTail(sim_log)
                          << testing::FileTail(Tmp("agent-sim-registrar.log"));
  ASSERT_EQ(*ready, absl::StrCat("ready ", count))
      << testing::FileTail(sim_log);
  std::cerr << "agent_sim: " << count << " agents ready (created, served, "
            << "enrolled) in " << absl::FormatDuration(absl::Now() - t0) << "; "
            << VmRss((*sim)->pid()) << "\n";

  // The registrar lists every agent, active and marked simulated.
  auto reg = Registrar();
  std::vector<v1::RegisteredAgent> agents;
  v1::ListRegisteredAgentsRequest list;
  list.set_page_size(1000);
  do {
    grpc::ClientContext ctx;
    v1::ListRegisteredAgentsResponse page;
    grpc::Status s = reg->ListRegisteredAgents(&ctx, list, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    agents.insert(agents.end(), page.agents().begin(), page.agents().end());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  ASSERT_EQ(agents.size(), count);
  for (const v1::RegisteredAgent& a : agents) {
    EXPECT_EQ(a.state(), v1::REGISTRATION_STATE_ACTIVE)
        << a.identity().agent_id();
    EXPECT_TRUE(a.identity().simulated()) << a.identity().agent_id();
    EXPECT_THAT(a.identity().agent_id(), StartsWith("sim-it-"));
    EXPECT_THAT(a.ek_trust(), HasSubstr("Candor agent simulator EK CA"));
  }
  auto policy_json = ReadFile(policy_path);
  ASSERT_TRUE(policy_json.ok());
  auto policy = policy::RuntimePolicy::LoadJson(*policy_json);
  ASSERT_TRUE(policy.ok()) << policy.status();

  // Verifier calls on several agents: identity as registered, cycles pass.
  std::vector<attest::AgentAttestationState> states;
  for (size_t i = 0; i < 4; ++i) {
    const v1::RegisteredAgent& a = agents[i];
    auto stub = Agent(a, "verifier");
    grpc::ClientContext ctx;
    v1::GetIdentityResponse id;
    grpc::Status s = stub->GetIdentity(&ctx, v1::GetIdentityRequest(), &id);
    ASSERT_TRUE(s.ok()) << a.identity().agent_id() << ": " << s.error_message();
    v1::AgentIdentity registered = a.identity();
    EXPECT_EQ(id.identity().SerializeAsString(),
              registered.SerializeAsString());
    auto state = attest::AgentAttestationState::Initial();
    ASSERT_TRUE(state.ok());
    for (int cycle = 0; cycle < 2; ++cycle) {
      auto r = Attest(*stub, a, *state, *policy);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_THAT(Ids(r->failures), IsEmpty()) << a.identity().agent_id();
      EXPECT_THAT(Ids(r->warnings), IsEmpty()) << a.identity().agent_id();
      *state = r->new_state;
    }
    EXPECT_GE(state->ima.next_entry, 301u);
    states.push_back(*state);
  }
  // Every agent answers with its own certificate (the pinned handshake
  // fails otherwise) and identity; the connections stay open for the RSS.
  {
    const absl::Time c0 = absl::Now();
    std::vector<std::unique_ptr<v1::AgentService::Stub>> all;
    for (const v1::RegisteredAgent& a : agents) {
      all.push_back(Agent(a, "verifier"));
      grpc::ClientContext ctx;
      v1::GetIdentityResponse id;
      grpc::Status s =
          all.back()->GetIdentity(&ctx, v1::GetIdentityRequest(), &id);
      ASSERT_TRUE(s.ok()) << a.identity().agent_id() << ": "
                          << s.error_message();
      ASSERT_EQ(id.identity().agent_id(), a.identity().agent_id());
    }
    std::cerr << "agent_sim: " << count << " mTLS connections + GetIdentity in "
              << absl::FormatDuration(absl::Now() - c0) << "; simulator "
              << VmRss((*sim)->pid()) << "\n";
  }
  // A caller without the verifier role is refused like by the real agent.
  {
    auto stub = Agent(agents[0], "tenant");
    grpc::ClientContext ctx;
    v1::GetIdentityResponse id;
    EXPECT_EQ(
        stub->GetIdentity(&ctx, v1::GetIdentityRequest(), &id).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }

  // Tampering on command, found by the verifier's checks.
  const std::string id1 = agents[1].identity().agent_id();
  auto answer = (*sim)->Command("tamper " + id1 + " ima");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(*answer, StartsWith("ok tamper " + id1 + " ima /tmp/evil-"));
  auto stub1 = Agent(agents[1], "verifier");
  auto r = Attest(*stub1, agents[1], states[1], *policy);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Ids(r->failures), Contains("ima.not_in_policy"));

  answer = (*sim)->Command("tamper 3 quote");  // index of sim-it-00003
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, "ok tamper sim-it-00003 quote");
  auto stub2 = Agent(agents[2], "verifier");
  r = Attest(*stub2, agents[2], states[2], *policy);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Ids(r->failures), Contains("quote.bad_signature"));

  answer = (*sim)->Command("tamper 4 pcr16");
  ASSERT_TRUE(answer.ok());
  auto stub3 = Agent(agents[3], "verifier");
  r = Attest(*stub3, agents[3], states[3], *policy);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Ids(r->failures), Contains("pcr.transport_key_mismatch"));

  answer = (*sim)->Command("stop 1");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, "ok stop sim-it-00001");
  auto stub0 = Agent(agents[0], "verifier");
  grpc::Status rpc;
  r = Attest(*stub0, agents[0], states[0], *policy, &rpc);
  EXPECT_EQ(rpc.error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE((*sim)->Command("start 1").ok());
  r = Attest(*stub0, agents[0], states[0], *policy);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Ids(r->failures), IsEmpty());

  answer = (*sim)->Command("tamper nobody ima");
  ASSERT_TRUE(answer.ok());
  EXPECT_THAT(*answer, StartsWith("error no agent"));
  answer = (*sim)->Command("stats");
  ASSERT_TRUE(answer.ok());
  EXPECT_THAT(*answer, HasSubstr(absl::StrCat("\"agents\":", count)));
  EXPECT_THAT(*answer, HasSubstr("\"tampered\":3"));
  EXPECT_THAT(*answer, HasSubstr("\"unavailable\":1"));
  std::cerr << "agent_sim stats: " << *answer << "\n";

  answer = (*sim)->Command("quit");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer, "ok quit");
  auto status = (*sim)->Wait(absl::Seconds(30));
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << testing::DescribeWaitStatus(*status);
}

TEST_F(AgentSimTest, ExitsNonZeroWhenTheRegistrarRefuses) {
  // A registrar that does not accept simulated agents: a clear error.
  auto registrar = [&] {
    testing::SubprocessOptions o;
    o.argv = {Runfile("services/registrar/registrar"),
              absl::StrCat("--listen=127.0.0.1:", registrar_port_),
              "--tls_cert=" + pki::CertPath(pki_, "registrar"),
              "--tls_key=" + pki::KeyPath(pki_, "registrar"),
              "--tls_ca=" + pki::CertPath(pki_, "ca"),
              "--database=" + conninfo_,
              "--insecure_accept_any_ek"};
    o.stdout_path = Tmp("agent-sim-registrar2.log");
    return testing::Subprocess::Start(o);
  }();
  ASSERT_TRUE(registrar.ok()) << registrar.status();
  const std::string sim_log = Tmp("agent-sim-refused.log");
  auto sim = testing::SimProcess::Start(
      {Runfile("tools/agent_sim/agent_sim"), "--count=3",
       "--listen=127.0.0.1:0",
       absl::StrCat("--registrar=localhost:", registrar_port_),
       "--ca=" + pki::CertPath(pki_, "ca"), "--ima_initial=5"},
      sim_log);
  ASSERT_TRUE(sim.ok()) << sim.status();
  auto line = (*sim)->ReadLine(absl::Seconds(120));
  ASSERT_TRUE(line.ok()) << line.status() << testing::FileTail(sim_log);
  EXPECT_THAT(*line, StartsWith("error enrollment failed"));
  EXPECT_THAT(*line, HasSubstr("simulated"));
  auto status = (*sim)->Wait(absl::Seconds(30));
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1)
      << testing::DescribeWaitStatus(*status);
}

}  // namespace
}  // namespace candor
