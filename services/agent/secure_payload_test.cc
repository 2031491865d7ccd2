#include "services/agent/secure_payload.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/common/file_util.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/payload/key_split.h"

namespace candor::agent {
namespace {

using ::testing::HasSubstr;

constexpr char kAgent[] = "agent-unit";

std::string Tmp(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp ? tmp : "/tmp", "/", name);
}

bool WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

class SecurePayloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    base_ = Tmp(absl::StrCat("sp", n++));
    ASSERT_EQ(::mkdir(base_.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((base_ + "/state").c_str(), 0700), 0);
    key_ = std::move(*crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048));
    spki_ = *crypto::PublicKeyToDer(key_.get());
    payload_ = Make();
  }

  std::unique_ptr<SecurePayload> Make() {
    SecurePayloadConfig c;
    c.agent_id = kAgent;
    c.state_dir = base_ + "/state";
    c.secure_dir = base_ + "/secure";
    c.transport_key = key_.get();
    auto p = SecurePayload::Create(std::move(c));
    EXPECT_TRUE(p.ok()) << p.status();
    return std::move(*p);
  }

  // A tar payload whose autorun.sh writes `marker` into its cwd.
  std::string TarPayload(const std::string& name, const std::string& marker) {
    const std::string src = base_ + "/src-" + name;
    ::mkdir(src.c_str(), 0700);
    EXPECT_TRUE(
        WriteFileAtomically(src + "/" + name, "content of " + name).ok());
    EXPECT_TRUE(WriteFileAtomically(
                    src + "/autorun.sh",
                    "#!/bin/sh\necho running\ntouch " + marker + "\n", 0755)
                    .ok());
    auto tar = payload::ReadPayload(src);
    EXPECT_TRUE(tar.ok()) << tar.status();
    return *tar;
  }

  v1::DeliverKeyShareRequest U(const payload::KeySplit& s) {
    v1::DeliverKeyShareRequest r;
    r.set_kind(v1::KEY_SHARE_KIND_U);
    r.set_encrypted_share(*payload::WrapShare(spki_, s.u));
    r.set_auth_tag(s.auth_tag);
    r.set_encrypted_payload(s.encrypted_payload);
    return r;
  }
  v1::DeliverKeyShareRequest V(const payload::KeySplit& s) {
    v1::DeliverKeyShareRequest r;
    r.set_kind(v1::KEY_SHARE_KIND_V);
    r.set_encrypted_share(*payload::WrapShare(spki_, s.v));
    return r;
  }

  std::string base_;
  crypto::OsslPtr<EVP_PKEY> key_;
  std::string spki_;
  std::unique_ptr<SecurePayload> payload_;
};

TEST_F(SecurePayloadTest, UThenVDecryptsExtractsAndRunsAutorun) {
  auto split = payload::SplitKey(kAgent, TarPayload("a.txt", "ran-a"));
  ASSERT_TRUE(split.ok());
  auto r = payload_->Deliver(U(*split));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->key_recombined());
  EXPECT_EQ(r->detail(), "waiting for the V share");
  r = payload_->Deliver(V(*split));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->key_recombined());
  EXPECT_TRUE(r->payload_decrypted());
  EXPECT_TRUE(r->payload_script_started());
  EXPECT_EQ(r->detail(), "");
  const std::string dir = payload_->payload_dir();
  EXPECT_EQ(*ReadFile(dir + "/a.txt"), "content of a.txt");
  ASSERT_TRUE(WaitForFile(dir + "/ran-a", absl::Seconds(30)));
  EXPECT_THAT(*ReadFile(dir + "/autorun.log"), HasSubstr("running"));
  struct stat st;
  ASSERT_EQ(::stat((base_ + "/secure").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(SecurePayloadTest, VFirstThenU) {
  auto split = payload::SplitKey(kAgent, "raw secret\n");
  ASSERT_TRUE(split.ok());
  auto r = payload_->Deliver(V(*split));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key_recombined());
  EXPECT_EQ(r->detail(), "waiting for the U share");
  r = payload_->Deliver(U(*split));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->key_recombined());
  EXPECT_TRUE(r->payload_decrypted());
  EXPECT_FALSE(r->payload_script_started());
  EXPECT_EQ(*ReadFile(payload_->payload_dir() + "/decrypted_payload"),
            "raw secret\n");
}

TEST_F(SecurePayloadTest, URestoredAfterRestartAndNotStoredInClear) {
  auto split = payload::SplitKey(kAgent, "after restart");
  ASSERT_TRUE(split.ok());
  ASSERT_TRUE(payload_->Deliver(U(*split)).ok());
  payload_.reset();
  const std::string file = base_ + "/state/key_shares_u";
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFile(file)->find(std::string(split->u.view())),
            std::string::npos);
  payload_ = Make();
  auto r = payload_->Deliver(V(*split));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->key_recombined());
  EXPECT_EQ(*ReadFile(payload_->payload_dir() + "/decrypted_payload"),
            "after restart");
}

TEST_F(SecurePayloadTest, MismatchedSharesAreReportedNotErrors) {
  auto a = payload::SplitKey(kAgent, "a");
  auto b = payload::SplitKey(kAgent, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(payload_->Deliver(U(*a)).ok());
  auto r = payload_->Deliver(V(*b));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key_recombined());
  EXPECT_THAT(r->detail(), HasSubstr("no U×V pair matches"));
  // The matching V still works: every pair is tried.
  r = payload_->Deliver(V(*a));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->key_recombined());
}

TEST_F(SecurePayloadTest, SharesForAnotherAgentDoNotCombine) {
  auto other = payload::SplitKey("someone-else", "x");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(payload_->Deliver(U(*other)).ok());
  auto r = payload_->Deliver(V(*other));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key_recombined());
}

TEST_F(SecurePayloadTest, TamperedPayloadIsReported) {
  auto split = payload::SplitKey(kAgent, "payload");
  ASSERT_TRUE(split.ok());
  split->encrypted_payload[14] ^= 1;
  ASSERT_TRUE(payload_->Deliver(U(*split)).ok());
  auto r = payload_->Deliver(V(*split));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->key_recombined());
  EXPECT_FALSE(r->payload_decrypted());
  EXPECT_EQ(r->detail(), "payload GCM tag does not verify");
}

TEST_F(SecurePayloadTest, MaliciousArchiveIsReportedAndNothingInstalled) {
  // A tar whose only entry is ../escape (written with ReadPayload's packer
  // cannot make one, so build the header by hand: ustar, name "../escape").
  std::string tar(1024 + 512, '\0');
  std::string name = "../escape";
  std::copy(name.begin(), name.end(), tar.begin());
  auto put = [&](size_t off, const std::string& v) {
    std::copy(v.begin(), v.end(), tar.begin() + off);
  };
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "00000000000");
  put(136, "00000000000");
  tar[156] = '0';
  put(257, "ustar");
  put(263, "00");
  put(148, "        ");
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += static_cast<unsigned char>(tar[i]);
  char chk[8];
  std::snprintf(chk, sizeof(chk), "%06o", sum);
  put(148, std::string(chk, 6));
  tar[154] = '\0';
  auto split = payload::SplitKey(kAgent, tar);
  ASSERT_TRUE(split.ok());
  ASSERT_TRUE(payload_->Deliver(U(*split)).ok());
  auto r = payload_->Deliver(V(*split));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->key_recombined());
  EXPECT_FALSE(r->payload_decrypted());
  EXPECT_THAT(r->detail(), HasSubstr("../escape"));
  EXPECT_NE(::access((base_ + "/secure/escape").c_str(), F_OK), 0);
  EXPECT_NE(::access(payload_->payload_dir().c_str(), F_OK), 0);
}

TEST_F(SecurePayloadTest, NewPayloadReplacesTheOld) {
  auto first = payload::SplitKey(kAgent, TarPayload("one.txt", "ran-one"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(payload_->Deliver(U(*first)).ok());
  ASSERT_TRUE(payload_->Deliver(V(*first)).ok());
  const std::string dir = payload_->payload_dir();
  ASSERT_TRUE(WaitForFile(dir + "/ran-one", absl::Seconds(30)));
  auto second = payload::SplitKey(kAgent, TarPayload("two.txt", "ran-two"));
  ASSERT_TRUE(second.ok());
  auto r = payload_->Deliver(U(*second));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->key_recombined());  // the held V belongs to the first K
  r = payload_->Deliver(V(*second));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->payload_decrypted());
  EXPECT_EQ(*ReadFile(dir + "/two.txt"), "content of two.txt");
  EXPECT_NE(::access((dir + "/one.txt").c_str(), F_OK), 0);
  ASSERT_TRUE(WaitForFile(dir + "/ran-two", absl::Seconds(30)));
}

TEST_F(SecurePayloadTest, RepeatedShareChangesNothing) {
  auto split = payload::SplitKey(kAgent, "x");
  ASSERT_TRUE(split.ok());
  auto u = U(*split);
  ASSERT_TRUE(payload_->Deliver(u).ok());
  ASSERT_TRUE(payload_->Deliver(V(*split)).ok());
  auto r = payload_->Deliver(u);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->key_recombined());
}

TEST_F(SecurePayloadTest, InvalidRequests) {
  auto split = payload::SplitKey(kAgent, "x");
  ASSERT_TRUE(split.ok());
  auto u = U(*split);
  u.set_auth_tag(u.auth_tag().substr(1));
  EXPECT_EQ(payload_->Deliver(u).status().code(),
            absl::StatusCode::kInvalidArgument);
  u = U(*split);
  u.set_encrypted_payload("short");
  EXPECT_EQ(payload_->Deliver(u).status().code(),
            absl::StatusCode::kInvalidArgument);
  u = U(*split);
  u.set_encrypted_share("garbage");
  EXPECT_EQ(payload_->Deliver(u).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto v = V(*split);
  v.set_auth_tag(split->auth_tag);
  EXPECT_EQ(payload_->Deliver(v).status().code(),
            absl::StatusCode::kInvalidArgument);
  v = V(*split);
  v.set_kind(v1::KEY_SHARE_KIND_UNSPECIFIED);
  EXPECT_EQ(payload_->Deliver(v).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A 16-byte share wrapped correctly.
  v = V(*split);
  v.set_encrypted_share(*payload::WrapShare(spki_, crypto::SecretBytes(16)));
  auto r = payload_->Deliver(v);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("16 bytes"));
}

TEST(DefaultSecureDirTest, PrefersDevShm) {
  const std::string d = DefaultSecureDir("agent-x", "/var/lib/candor/agent");
  if (::access("/dev/shm", W_OK) == 0) {
    EXPECT_EQ(d, "/dev/shm/candor-agent-x");
  } else {
    EXPECT_EQ(d, "/var/lib/candor/agent/secure");
  }
}

}  // namespace
}  // namespace candor::agent
