#include "lib/payload/key_split.h"

#include <sys/stat.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/cert_issuer.h"
#include "lib/crypto/keys.h"
#include "lib/payload/archive_extract.h"
#include "lib/payload/archive_pack.h"
#include "lib/payload/unsplit.h"

namespace candor::payload {
namespace {

using ::testing::HasSubstr;

std::string TestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/", name);
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

void WriteFile(const std::string& path, const std::string& data, int mode) {
  std::ofstream(path, std::ios::binary) << data;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SplitKeyTest, SharesRecombineAndPayloadDecrypts) {
  auto split = SplitKey("agent-1", "hello payload");
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->u.size(), 32u);
  EXPECT_EQ(split->v.size(), 32u);
  EXPECT_EQ(split->auth_tag.size(), 48u);
  EXPECT_EQ(split->encrypted_payload.size(), 12u + 13u + 16u);
  auto k = RecombineKey(split->u, split->v, "agent-1", split->auth_tag);
  ASSERT_TRUE(k.ok()) << k.status();
  auto plain = DecryptPayload(*k, split->encrypted_payload);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->view(), "hello payload");
}

TEST(SplitKeyTest, EmptyPayloadHasNoCiphertext) {
  auto split = SplitKey("agent-1", "");
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_TRUE(split->encrypted_payload.empty());
}

TEST(SplitKeyTest, FreshKeysEachTime) {
  auto a = SplitKey("agent-1", "x");
  auto b = SplitKey("agent-1", "x");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(crypto::ConstantTimeEquals(a->u.view(), b->u.view()));
  EXPECT_NE(a->auth_tag, b->auth_tag);
}

TEST(SplitKeyTest, EmptyAgentIdRefused) {
  EXPECT_EQ(SplitKey("", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WrapShareTest, RoundTripThroughTransportKey) {
  auto key = crypto::GenerateKey(crypto::KeyAlgorithm::kRsa2048);
  ASSERT_TRUE(key.ok());
  auto spki = crypto::PublicKeyToDer(key->get());
  ASSERT_TRUE(spki.ok());
  auto split = SplitKey("agent-1", "");
  ASSERT_TRUE(split.ok());
  auto wrapped = WrapShare(*spki, split->u);
  ASSERT_TRUE(wrapped.ok()) << wrapped.status();
  EXPECT_EQ(wrapped->size(), 256u);
  auto u = UnwrapShare(key->get(), *wrapped);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(crypto::ConstantTimeEquals(u->view(), split->u.view()));
}

TEST(WrapShareTest, RefusesEcAndGarbageKeys) {
  auto ec = crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256);
  ASSERT_TRUE(ec.ok());
  auto spki = crypto::PublicKeyToDer(ec->get());
  ASSERT_TRUE(spki.ok());
  crypto::SecretBytes share(32);
  auto r = WrapShare(*spki, share);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("not an RSA key"));
  EXPECT_EQ(WrapShare("garbage", share).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReadPayloadTest, RegularFileAsIs) {
  const std::string dir = TestDir("file_payload");
  WriteFile(dir + "/p.bin", std::string("\0\1\2binary", 9), 0644);
  auto data = ReadPayload(dir + "/p.bin");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, std::string("\0\1\2binary", 9));
}

TEST(ReadPayloadTest, MissingPathNamed) {
  auto data = ReadPayload("/nonexistent/candor/payload");
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(data.status().message(),
              HasSubstr("/nonexistent/candor/payload"));
}

TEST(ReadPayloadTest, DirectoryPacksAndExtractsWithModes) {
  const std::string src = TestDir("dir_payload_src");
  ::mkdir((src + "/conf").c_str(), 0755);
  WriteFile(src + "/autorun.sh", "#!/bin/sh\necho hi\n", 0755);
  WriteFile(src + "/conf/app.yaml", "a: 1\n", 0640);
  auto tar = ReadPayload(src);
  ASSERT_TRUE(tar.ok()) << tar.status();

  const std::string dst = TestDir("dir_payload_dst");
  auto result = ExtractPayload(*tar, dst);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->was_archive);
  EXPECT_EQ(result->entries, 3u);
  EXPECT_EQ(ReadFile(dst + "/autorun.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(ReadFile(dst + "/conf/app.yaml"), "a: 1\n");
  struct stat st;
  ASSERT_EQ(::stat((dst + "/autorun.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(::stat((dst + "/conf/app.yaml").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(ReadPayloadTest, SizeLimitAndSpecialFilesNamed) {
  const std::string src = TestDir("limit_src");
  WriteFile(src + "/big", std::string(4096, 'x'), 0644);
  auto tar = PackDirectory(src, 2048);
  EXPECT_EQ(tar.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(tar.status().message(), HasSubstr(src));

  const std::string fifo_dir = TestDir("fifo_src");
  ASSERT_EQ(::mkfifo((fifo_dir + "/pipe").c_str(), 0600), 0);
  auto r = ReadPayload(fifo_dir);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr(fifo_dir + "/pipe"));
}

}  // namespace
}  // namespace candor::payload
