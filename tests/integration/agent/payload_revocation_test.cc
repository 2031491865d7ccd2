// The agent binary on a real swtpm, over mTLS pinned to its certificate:
// the secure payload (U from the tenant certificate, V from the verifier
// certificate, across an agent restart; payload extracted into --secure_dir
// and its autorun.sh run) and revocation notices (signed with revocation.key:
// the action runs with the message as JSON on stdin; a duplicate runs
// nothing; a notice signed with another key is refused; a slow action does
// not block GetQuote).
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "candor/v1/agent.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/payload/key_split.h"
#include "lib/pki/pki.h"
#include "lib/revocation/notice.h"
#include "lib/status/grpc_status.h"
#include "tests/harness/ports.h"
#include "tests/harness/resources.h"
#include "tests/integration/agent/agent_fixture.h"

namespace candor {
namespace {

using ::testing::HasSubstr;

// Waits for `path` to exist, up to `timeout` (a condition, not a delay).
bool WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

class PayloadRevocationTest : public AgentTest {
 protected:
  void SetUp() override {
    CANDOR_REQUIRE_RESOURCE(*start_);
    ASSERT_TRUE(WriteFileAtomically(Tmp("boot_id"), "boot-1\n").ok());
    const int made = ::mkdir(Tmp("actions").c_str(), 0700);
    ASSERT_TRUE(made == 0 || errno == EEXIST) << Tmp("actions");
    ASSERT_TRUE(
        WriteFileAtomically(
            Tmp("actions") + "/10-record",
            "#!/bin/sh\n"
            "if [ \"$CANDOR_EVENT_CURSOR\" = cursor-block ]; then\n"
            "  touch ../blocked\n"
            "  while [ ! -f ../release ]; do sleep 0.05; done\n"
            "fi\n"
            "cat >> ../action-stdin\n"
            "echo \"$CANDOR_REVOKED_AGENT_ID $CANDOR_REVOKED_ADDRESS "
            "$CANDOR_EVENT_CURSOR $CANDOR_SEVERITY\" >> ../action-env\n",
            0755)
            .ok());
    StartPayloadAgent();
  }

  void StartPayloadAgent() {
    auto port = testing::PickFreePort();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    testing::SubprocessOptions o;
    o.argv = {absl::StrCat(std::getenv("TEST_SRCDIR"),
                           "/candor/services/agent/agent"),
              absl::StrCat("--listen=127.0.0.1:", port_),
              "--tcti=" + tpm_->tcti(),
              "--agent_id=" + std::string(kAgentId),
              "--state_dir=" + Tmp("state"),
              "--ca=" + pki::CertPath(Tmp("pki"), "ca"),
              "--ima_log=" + Tmp("ima.log"),
              "--boot_log=" + Tmp("boot.log"),
              "--boot_id_file=" + Tmp("boot_id"),
              "--secure_dir=" + Tmp("secure"),
              "--revocation_actions_dir=" + Tmp("actions")};
    log_ = Tmp(absl::StrCat("agent.", runs_++, ".log"));
    o.stdout_path = log_;
    auto p = testing::Subprocess::Start(o);
    ASSERT_TRUE(p.ok()) << p.status();
    agent_ = std::move(*p);
    ASSERT_TRUE(testing::WaitForPort(port_, absl::Seconds(30),
                                     [&] { return agent_->Running(); })
                    .ok())
        << testing::FileTail(log_);
  }

  absl::StatusOr<v1::KeyShareResult> Deliver(
      const v1::DeliverKeyShareRequest& req, const std::string& client) {
    auto stub = Stub(client);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::DeliverKeyShareResponse resp;
    absl::Status s = FromGrpcStatus(stub->DeliverKeyShare(&ctx, req, &resp));
    if (!s.ok()) return s;
    return resp.result();
  }

  absl::StatusOr<v1::NotifyResponse> Notify(const std::string& cursor,
                                            const std::string& signer) {
    v1::RevocationMessage m;
    m.set_agent_id("failed-agent");
    m.set_address("192.0.2.7:9002");
    m.set_event_cursor(cursor);
    m.set_severity(v1::SEVERITY_ERROR);
    m.add_failures()->set_id("ima.not_in_policy");
    auto key = revocation::LoadRevocationSigner(
        pki::CertPath(Tmp("pki"), signer), pki::KeyPath(Tmp("pki"), signer));
    if (!key.ok()) return key.status();
    auto notice = revocation::SignNotice(m, *key);
    if (!notice.ok()) return notice.status();
    auto stub = Stub("verifier");
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    v1::NotifyRequest req;
    *req.mutable_notice() = *notice;
    v1::NotifyResponse resp;
    absl::Status s = FromGrpcStatus(stub->Notify(&ctx, req, &resp));
    if (!s.ok()) return s;
    return resp;
  }
};

TEST_F(PayloadRevocationTest, SecurePayloadAcrossRestart) {
  auto id = Identity();
  ASSERT_TRUE(id.ok()) << id.status();
  const std::string& spki = id->identity().transport_public_key();

  const std::string src = Tmp("payload-src");
  ASSERT_EQ(::mkdir(src.c_str(), 0700), 0);
  ASSERT_TRUE(WriteFileAtomically(src + "/secret.conf", "token=42\n").ok());
  ASSERT_TRUE(WriteFileAtomically(
                  src + "/autorun.sh",
                  "#!/bin/sh\necho autorun here\n"
                  "cat secret.conf > ran.tmp && mv ran.tmp autorun-ran\n",
                  0755)
                  .ok());
  auto tar = payload::ReadPayload(src);
  ASSERT_TRUE(tar.ok()) << tar.status();
  auto split = payload::SplitKey(kAgentId, *tar);
  ASSERT_TRUE(split.ok()) << split.status();

  v1::DeliverKeyShareRequest u;
  u.set_kind(v1::KEY_SHARE_KIND_U);
  u.set_encrypted_share(*payload::WrapShare(spki, split->u));
  u.set_auth_tag(split->auth_tag);
  u.set_encrypted_payload(split->encrypted_payload);
  v1::DeliverKeyShareRequest v;
  v.set_kind(v1::KEY_SHARE_KIND_V);
  v.set_encrypted_share(*payload::WrapShare(spki, split->v));

  // Wrong roles.
  EXPECT_EQ(Deliver(u, "verifier").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Deliver(v, "tenant").status().code(),
            absl::StatusCode::kPermissionDenied);

  auto r = Deliver(u, "tenant");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->key_recombined());
  EXPECT_EQ(r->detail(), "waiting for the V share");

  // The U share survives a restart of the agent.
  StopAgent();
  StartPayloadAgent();

  r = Deliver(v, "verifier");
  ASSERT_TRUE(r.ok()) << r.status() << testing::FileTail(log_);
  EXPECT_TRUE(r->key_recombined()) << r->detail();
  EXPECT_TRUE(r->payload_decrypted()) << r->detail();
  EXPECT_TRUE(r->payload_script_started()) << r->detail();

  const std::string dir = Tmp("secure") + "/payload";
  EXPECT_EQ(*ReadFile(dir + "/secret.conf"), "token=42\n");
  ASSERT_TRUE(WaitForFile(dir + "/autorun-ran", absl::Seconds(30)))
      << testing::FileTail(log_);
  // autorun-ran appears (renamed) after the echo: the log is complete.
  EXPECT_EQ(*ReadFile(dir + "/autorun-ran"), "token=42\n");
  EXPECT_THAT(*ReadFile(dir + "/autorun.log"), HasSubstr("autorun here"));
  struct stat st;
  ASSERT_EQ(::stat(Tmp("secure").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_THAT(testing::FileTail(log_), HasSubstr("decrypted into " + dir));
}

TEST_F(PayloadRevocationTest, RevocationNotices) {
  auto r = Notify("cursor-1", "revocation");
  ASSERT_TRUE(r.ok()) << r.status() << testing::FileTail(log_);
  EXPECT_EQ(r->actions_run(), 1u);
  EXPECT_EQ(r->actions_failed(), 0u);
  EXPECT_FALSE(r->duplicate());
  const std::string stdin_text = *ReadFile(Tmp("action-stdin"));
  EXPECT_THAT(stdin_text, HasSubstr("\"agentId\":\"failed-agent\""));
  EXPECT_THAT(stdin_text, HasSubstr("\"address\":\"192.0.2.7:9002\""));
  EXPECT_THAT(stdin_text, HasSubstr("\"eventCursor\":\"cursor-1\""));
  EXPECT_THAT(stdin_text, HasSubstr("ima.not_in_policy"));
  EXPECT_EQ(*ReadFile(Tmp("action-env")),
            "failed-agent 192.0.2.7:9002 cursor-1 SEVERITY_ERROR\n");

  // A duplicate runs nothing.
  r = Notify("cursor-1", "revocation");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->duplicate());
  EXPECT_EQ(r->actions_run(), 0u);
  EXPECT_EQ(*ReadFile(Tmp("action-stdin")), stdin_text);

  // Signed with the verifier's key: refused, nothing run.
  r = Notify("cursor-2", "verifier");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied)
      << r.status();
  EXPECT_EQ(*ReadFile(Tmp("action-stdin")), stdin_text);

  // A slow action does not block GetQuote.
  absl::StatusOr<v1::NotifyResponse> slow;
  std::thread notifier([&] { slow = Notify("cursor-block", "revocation"); });
  const bool blocked = WaitForFile(Tmp("blocked"), absl::Seconds(30));
  auto quote = Quote(Request({0, 16}));
  EXPECT_TRUE(quote.ok()) << quote.status();
  ASSERT_TRUE(WriteFileAtomically(Tmp("release"), "").ok());
  notifier.join();
  ASSERT_TRUE(blocked);
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(slow->actions_run(), 1u);
}

}  // namespace
}  // namespace candor
