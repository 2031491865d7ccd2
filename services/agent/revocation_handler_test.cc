#include "services/agent/revocation_handler.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/pki/pki.h"
#include "lib/revocation/notice.h"

namespace candor::agent {
namespace {

using ::testing::HasSubstr;

std::string Tmp(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp ? tmp : "/tmp", "/", name);
}

void Script(const std::string& path, const std::string& body, int mode) {
  ASSERT_TRUE(WriteFileAtomically(path, "#!/bin/sh\n" + body, mode).ok());
}

class RevocationHandlerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki::InitOptions o;
    o.dir = Tmp("pki");
    o.overwrite = true;
    ASSERT_TRUE(pki::InitPki(o).ok());
  }

  void SetUp() override {
    static int n = 0;
    dir_ = Tmp(absl::StrCat("case", n++));
    actions_ = dir_ + "/actions";
    ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(actions_.c_str(), 0700), 0);
  }

  std::unique_ptr<RevocationHandler> Make(
      bool with_actions, bool with_ca = true,
      absl::Duration timeout = absl::Seconds(30)) {
    RevocationConfig c;
    c.actions_dir = with_actions ? actions_ : "";
    c.cursors_path = dir_ + "/cursors";
    c.action_timeout = timeout;
    std::optional<crypto::CaStore> ca;
    if (with_ca) {
      auto store = revocation::LoadCaBundle(pki::CertPath(Tmp("pki"), "ca"));
      EXPECT_TRUE(store.ok()) << store.status();
      ca.emplace(std::move(*store));
    }
    auto h = RevocationHandler::Create(c, std::move(ca));
    EXPECT_TRUE(h.ok()) << h.status();
    return std::move(*h);
  }

  v1::RevocationNotice Notice(const std::string& cursor,
                              const std::string& signer = "revocation") {
    v1::RevocationMessage m;
    m.set_agent_id("bad-agent");
    m.set_address("10.1.2.3:9002");
    m.set_event_cursor(cursor);
    m.set_severity(v1::SEVERITY_CRITICAL);
    auto s = revocation::LoadRevocationSigner(pki::CertPath(Tmp("pki"), signer),
                                              pki::KeyPath(Tmp("pki"), signer));
    EXPECT_TRUE(s.ok()) << s.status();
    auto n = revocation::SignNotice(m, *s);
    EXPECT_TRUE(n.ok());
    return *n;
  }

  std::string dir_, actions_;
};

TEST_F(RevocationHandlerTest, RunsExecutablesInOrderWithJsonAndEnv) {
  Script(actions_ + "/20-record",
         "cat >> ../stdin.txt\n"
         "echo \"$CANDOR_REVOKED_AGENT_ID $CANDOR_REVOKED_ADDRESS "
         "$CANDOR_EVENT_CURSOR $CANDOR_SEVERITY\" >> ../env.txt\n"
         "echo 20 >> ../order.txt\n",
         0755);
  Script(actions_ + "/10-first", "echo 10 >> ../order.txt\n", 0755);
  Script(actions_ + "/30-fails", "exit 4\n", 0755);
  Script(actions_ + "/40-not-executable", "echo 40 >> ../order.txt\n", 0644);
  auto h = Make(true);
  auto r = h->Notify(Notice("cursor-1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->actions_run(), 2u);
  EXPECT_EQ(r->actions_failed(), 1u);
  EXPECT_FALSE(r->duplicate());
  EXPECT_EQ(*ReadFile(dir_ + "/order.txt"), "10\n20\n");
  EXPECT_EQ(*ReadFile(dir_ + "/env.txt"),
            "bad-agent 10.1.2.3:9002 cursor-1 SEVERITY_CRITICAL\n");
  const std::string json = *ReadFile(dir_ + "/stdin.txt");
  EXPECT_THAT(json, HasSubstr("\"agentId\":\"bad-agent\""));
  EXPECT_THAT(json, HasSubstr("\"eventCursor\":\"cursor-1\""));
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), 1);

  // A duplicate runs nothing, also after a restart (the cursor file).
  r = h->Notify(Notice("cursor-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->duplicate());
  EXPECT_EQ(r->actions_run(), 0u);
  auto restarted = Make(true);
  r = restarted->Notify(Notice("cursor-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->duplicate());
  EXPECT_EQ(*ReadFile(dir_ + "/order.txt"), "10\n20\n");
}

TEST_F(RevocationHandlerTest, SlowActionIsKilled) {
  Script(actions_ + "/slow", "sleep 60\n", 0755);
  auto h = Make(true, true, absl::Milliseconds(200));
  auto r = h->Notify(Notice("cursor-slow"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->actions_run(), 0u);
  EXPECT_EQ(r->actions_failed(), 1u);
}

TEST_F(RevocationHandlerTest, WrongSignerIsPermissionDeniedAndNotRecorded) {
  Script(actions_ + "/a", "echo ran >> ../ran.txt\n", 0755);
  auto h = Make(true);
  auto r = h->Notify(Notice("cursor-x", "verifier"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(ReadFile(dir_ + "/ran.txt").ok());
  // The cursor was not burnt by the forged notice.
  r = h->Notify(Notice("cursor-x"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->duplicate());
  EXPECT_EQ(r->actions_run(), 1u);
}

TEST_F(RevocationHandlerTest, NoActionsDirAcknowledges) {
  auto h = Make(false);
  auto r = h->Notify(Notice("cursor-2"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->actions_run(), 0u);
  EXPECT_FALSE(r->duplicate());
}

TEST_F(RevocationHandlerTest, NoCaIsFailedPrecondition) {
  auto h = Make(true, false);
  EXPECT_EQ(h->Notify(Notice("c")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RevocationHandlerTest, ActionsDirMustBeADirectory) {
  RevocationConfig c;
  c.actions_dir = dir_ + "/missing";
  c.cursors_path = dir_ + "/cursors";
  EXPECT_EQ(RevocationHandler::Create(c, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::agent
