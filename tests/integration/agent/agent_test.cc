// The agent binary on a real swtpm, called over mTLS as a verifier would:
// identity, quotes that tpm2_checkquote accepts with PCR values that match
// the quote's digest, PCR 16 bound to the transport key, incremental IMA
// pages, the boot log, role checks, an AK that survives restarts, and a TPM
// reset survived (PCR 16 bound again, AK reloaded, new boot id).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "candor/v1/agent.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509.h"
#include "lib/pki/pki.h"
#include "lib/rpc/tls.h"
#include "lib/status/grpc_status.h"
#include "lib/tpm/public_key.h"
#include "tests/harness/ports.h"
#include "tests/harness/resources.h"
#include "tests/harness/subprocess.h"
#include "tests/harness/swtpm.h"
#include "tests/integration/agent/agent_fixture.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

TEST_F(AgentTest, IdentityIsConsistent) {
  auto id = Identity();
  ASSERT_TRUE(id.ok()) << id.status();
  const v1::AgentIdentity& i = id->identity();
  EXPECT_EQ(i.agent_id(), kAgentId);
  EXPECT_EQ(id->boot_id(), "boot-1");
  auto ak = tpm::ParseTpm2bPublic(i.ak_public());
  ASSERT_TRUE(ak.ok());
  EXPECT_EQ(*tpm::ComputeName(ak->publicArea), i.ak_name());
  auto ek_cert = crypto::ParseCertificate(i.ek_certificate());
  ASSERT_TRUE(ek_cert.ok());
  auto ek = tpm::ParseTpm2bPublic(i.ek_public());
  ASSERT_TRUE(ek.ok());
  auto ek_key = tpm::PublicToEvpPkey(ek->publicArea);
  auto cert_key = crypto::CertificatePublicKey(ek_cert->get());
  ASSERT_TRUE(ek_key.ok() && cert_key.ok());
  EXPECT_TRUE(crypto::PublicKeysEqual(ek_key->get(), cert_key->get()));
  auto transport = crypto::PublicKeyFromDer(i.transport_public_key());
  ASSERT_TRUE(transport.ok());
  EXPECT_EQ(EVP_PKEY_get_bits(transport->get()), 2048);
  auto tls = crypto::ParseCertificate(i.tls_certificate());
  ASSERT_TRUE(tls.ok());
  EXPECT_THAT(crypto::SubjectString(tls->get()), HasSubstr(kAgentId));
  EXPECT_FALSE(id->tpm().active_pcr_banks().empty());
}

TEST_F(AgentTest, QuoteVerifiesWithTpm2ChecquoteAndCoversPcr16) {
  auto id = Identity();
  ASSERT_TRUE(id.ok());
  auto ev = Quote(Request({0, 1, 2, 3, 4, 5, 6, 7, 10, 16}));
  ASSERT_TRUE(ev.ok()) << ev.status();
  // tpm2_checkquote: signature and nonce, independently of our code.
  auto ak = tpm::ParseTpm2bPublic(id->identity().ak_public());
  auto key = tpm::PublicToEvpPkey(ak->publicArea);
  ASSERT_TRUE(key.ok());
  auto der = crypto::PublicKeyToDer(key->get());
  ASSERT_TRUE(der.ok());
  std::string pem = "-----BEGIN PUBLIC KEY-----\n";
  std::string b64 = absl::Base64Escape(*der);
  for (size_t i = 0; i < b64.size(); i += 64) {
    pem += b64.substr(i, 64) + "\n";
  }
  pem += "-----END PUBLIC KEY-----\n";
  ASSERT_TRUE(WriteFileAtomically(Tmp("ak.pem"), pem).ok());
  ASSERT_TRUE(WriteFileAtomically(Tmp("q.msg"), ev->quote().attest()).ok());
  ASSERT_TRUE(WriteFileAtomically(Tmp("q.sig"), ev->quote().signature()).ok());
  testing::SubprocessOptions o;
  o.argv = {"/usr/bin/tpm2_checkquote", "-u", Tmp("ak.pem"), "-m",
            Tmp("q.msg"), "-s", Tmp("q.sig"), "-g", "sha256", "-q",
            absl::BytesToHexString(std::string(20, '\x42'))};
  o.stdout_path = Tmp("checkquote.out");
  EXPECT_TRUE(testing::RunCommand(o).ok());
  // A flipped byte fails it.
  std::string bad = ev->quote().attest();
  bad[bad.size() / 2] ^= 1;
  ASSERT_TRUE(WriteFileAtomically(Tmp("q.msg"), bad).ok());
  EXPECT_FALSE(testing::RunCommand(o).ok());

  // The PCR values are the ones the quote covers.
  auto values = convert::ValuesFromProto(ev->quote().pcr_values());
  ASSERT_TRUE(values.ok()) << values.status();
  ASSERT_EQ(values->at(TPM2_ALG_SHA256).size(), 10u);
  // PCR 16 = H(0^32 || H(transport key DER)).
  std::string expected = crypto::Sha256(
      std::string(32, '\0') +
      crypto::Sha256(id->identity().transport_public_key()));
  EXPECT_EQ(values->at(TPM2_ALG_SHA256).at(16), expected);
}

TEST_F(AgentTest, ImaPagesAndBootLog) {
  std::string lines;
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&lines, "10 ", std::string(40, 'a'), " ima-ng sha256:",
                    std::string(64, 'b'), " /usr/bin/f", i, "\n");
  }
  ASSERT_TRUE(WriteFileAtomically(Tmp("ima.log"), lines).ok());
  ASSERT_TRUE(WriteFileAtomically(Tmp("boot.log"), "boot-log-bytes").ok());
  v1::EvidenceRequest req = Request({10});
  req.set_ima_start_entry(3);
  req.set_want_boot_log(true);
  auto ev = Quote(req);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_EQ(ev->ima_entries().start_entry(), 3u);
  ASSERT_EQ(ev->ima_entries().lines_size(), 2);
  EXPECT_THAT(ev->ima_entries().lines(0), HasSubstr("/usr/bin/f3"));
  EXPECT_EQ(ev->ima_entries().total_entries(), 5u);
  EXPECT_FALSE(ev->ima_entries().more());
  EXPECT_EQ(ev->boot_log(), "boot-log-bytes");
  EXPECT_EQ(ev->boot_id(), "boot-1");
  // Paged.
  req.set_ima_start_entry(0);
  req.set_max_entries(2);
  req.set_want_boot_log(false);
  ev = Quote(req);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->ima_entries().lines_size(), 2);
  EXPECT_TRUE(ev->ima_entries().more());
  EXPECT_TRUE(ev->boot_log().empty());
  // No IMA entries unless PCR 10 is quoted.
  ev = Quote(Request({0}));
  ASSERT_TRUE(ev.ok());
  EXPECT_FALSE(ev->has_ima_entries());
}

TEST_F(AgentTest, MissingLogsAreFlagged) {
  std::remove(Tmp("ima.log").c_str());
  std::remove(Tmp("boot.log").c_str());
  v1::EvidenceRequest req = Request({10});
  req.set_want_boot_log(true);
  auto ev = Quote(req);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_TRUE(ev->ima_entries().log_missing());
  EXPECT_TRUE(ev->boot_log_missing());
}

TEST_F(AgentTest, BadRequestsAreRefusedClearly) {
  v1::EvidenceRequest req = Request({0});
  req.set_nonce("short");
  auto ev = Quote(req);
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ev.status().message()), HasSubstr("nonce"));
  ev = Quote(Request({}));
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kInvalidArgument);
  ev = Quote(Request({24}));
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kInvalidArgument);
  req = Request({0});
  req.mutable_pcr_selections(0)->set_bank(v1::HASH_ALGORITHM_SHA384);
  ev = Quote(req);
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kFailedPrecondition)
      << ev.status();
}

TEST_F(AgentTest, OnlyVerifiersMayAskForQuotes) {
  auto ev = Quote(Request({0}), "tenant");
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kPermissionDenied)
      << ev.status();
  // Pinning the agent's certificate under another agent id fails.
  auto stub = Stub("verifier", "some-other-agent");
  grpc::ClientContext ctx;
  v1::GetIdentityResponse resp;
  EXPECT_FALSE(stub->GetIdentity(&ctx, v1::GetIdentityRequest(), &resp).ok());
}

TEST_F(AgentTest, RestartKeepsTheAk) {
  auto before = Identity();
  ASSERT_TRUE(before.ok());
  StopAgent();
  StartAgent();
  auto after = Identity();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(before->identity().ak_public(), after->identity().ak_public());
  EXPECT_EQ(before->identity().tls_certificate(),
            after->identity().tls_certificate());
  EXPECT_EQ(before->identity().transport_public_key(),
            after->identity().transport_public_key());
}

TEST_F(AgentTest, SurvivesATpmReset) {
  auto id = Identity();
  ASSERT_TRUE(id.ok());
  // A reboot as the TPM sees it: reset, then TPM2_Startup(CLEAR); a new boot
  // id. The agent keeps running (as under the reboot simulator).
  ASSERT_TRUE(tpm_->Ioctl("-i").ok());
  testing::SubprocessOptions o;
  o.argv = {"/usr/bin/tpm2_startup", "-c"};
  o.extra_env = {"TPM2TOOLS_TCTI=" + tpm_->tcti()};
  o.stdout_path = Tmp("startup.out");
  ASSERT_TRUE(testing::RunCommand(o).ok()) << testing::FileTail(o.stdout_path);
  ASSERT_TRUE(WriteFileAtomically(Tmp("boot_id"), "boot-2\n").ok());
  auto ev = Quote(Request({16}));
  ASSERT_TRUE(ev.ok()) << ev.status() << testing::FileTail(log_);
  EXPECT_EQ(ev->boot_id(), "boot-2");
  auto values = convert::ValuesFromProto(ev->quote().pcr_values());
  ASSERT_TRUE(values.ok());
  std::string expected = crypto::Sha256(
      std::string(32, '\0') +
      crypto::Sha256(id->identity().transport_public_key()));
  EXPECT_EQ(values->at(TPM2_ALG_SHA256).at(16), expected);
}

}  // namespace
}  // namespace candor
