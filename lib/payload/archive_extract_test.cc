#include "lib/payload/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::payload {
namespace {

using ::testing::HasSubstr;

struct Entry {
  Entry(std::string n, mode_t t, std::string c, int p = 0644,
        std::string h = "")
      : name(std::move(n)),
        type(t),
        content(std::move(c)),
        perm(p),
        hardlink(std::move(h)) {}
  std::string name;
  mode_t type;
  std::string content;  // the symlink target for AE_IFLNK
  int perm;
  std::string hardlink;
};

// Builds an archive in memory with libarchive (format: pax or zip).
std::string MakeArchive(const std::vector<Entry>& entries, bool zip = false) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
  }
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const Entry& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_filetype(ae, e.type);
    archive_entry_set_perm(ae, e.perm);
    if (!e.hardlink.empty()) archive_entry_set_hardlink(ae, e.hardlink.c_str());
    if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.content.c_str());
    if (e.type == AE_IFREG && e.hardlink.empty()) {
      archive_entry_set_size(ae, e.content.size());
    }
    archive_write_header(a, ae);
    if (e.type == AE_IFREG && !e.content.empty()) {
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string base = absl::StrCat(tmp ? tmp : "/tmp", "/extractXXXXXX");
    ASSERT_NE(::mkdtemp(base.data()), nullptr);
    outer_ = base;
    dir_ = outer_ + "/root";
    ASSERT_EQ(::mkdir(dir_.c_str(), 0700), 0);
  }
  bool Exists(const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
  }
  std::string outer_, dir_;
};

TEST_F(ExtractTest, TarWithFilesDirsAndInnerSymlink) {
  auto r =
      ExtractPayload(MakeArchive({{"d", AE_IFDIR, "", 0755},
                                  {"d/run.sh", AE_IFREG, "#!/bin/sh\n", 0755},
                                  {"link", AE_IFLNK, "d/run.sh"},
                                  {"d/up", AE_IFLNK, "../link"}}),
                     dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->was_archive);
  EXPECT_EQ(r->entries, 4u);
  EXPECT_EQ(::access((dir_ + "/d/run.sh").c_str(), X_OK), 0);
  EXPECT_TRUE(Exists(dir_ + "/link"));
}

TEST_F(ExtractTest, ZipIsExtracted) {
  auto r = ExtractPayload(MakeArchive({{"a.txt", AE_IFREG, "zip content"}},
                                      /*zip=*/true),
                          dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  std::ifstream in(dir_ + "/a.txt");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "zip content");
}

TEST_F(ExtractTest, NonArchiveStoredAsDecryptedPayload) {
  auto r = ExtractPayload("just some secret text\n", dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->was_archive);
  std::ifstream in(dir_ + "/decrypted_payload");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "just some secret text\n");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/decrypted_payload").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ExtractTest, DotDotEntryRefused) {
  auto r =
      ExtractPayload(MakeArchive({{"../escape.txt", AE_IFREG, "x"}}), dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("../escape.txt"));
  EXPECT_FALSE(Exists(outer_ + "/escape.txt"));
  r = ExtractPayload(MakeArchive({{"a/../../escape.txt", AE_IFREG, "x"}}),
                     dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Exists(outer_ + "/escape.txt"));
}

TEST_F(ExtractTest, AbsolutePathRefused) {
  const std::string target = outer_ + "/abs.txt";
  auto r = ExtractPayload(MakeArchive({{target, AE_IFREG, "x"}}), dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Exists(target));
}

TEST_F(ExtractTest, EscapingSymlinksRefused) {
  for (const char* target : {"/etc/passwd", "../outside", "a/../../x"}) {
    auto r = ExtractPayload(MakeArchive({{"l", AE_IFLNK, target}}), dir_);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << target;
    EXPECT_THAT(r.status().message(), HasSubstr("outside")) << target;
    EXPECT_FALSE(Exists(dir_ + "/l")) << target;
  }
}

TEST_F(ExtractTest, WritingThroughASymlinkRefused) {
  ASSERT_EQ(::symlink(outer_.c_str(), (dir_ + "/out").c_str()), 0);
  auto r = ExtractPayload(MakeArchive({{"out/pwned", AE_IFREG, "x"}}), dir_);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Exists(outer_ + "/pwned"));
}

TEST_F(ExtractTest, DevicesFifosAndHardlinksRefused) {
  for (mode_t type : {AE_IFCHR, AE_IFBLK, AE_IFIFO}) {
    auto r = ExtractPayload(MakeArchive({{"dev", type, ""}}), dir_);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_FALSE(Exists(dir_ + "/dev"));
  }
  auto r =
      ExtractPayload(MakeArchive({{"a", AE_IFREG, "x"},
                                  {"b", AE_IFREG, "", 0644, "/etc/shadow"}}),
                     dir_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("hard link"));
}

TEST_F(ExtractTest, SizeLimit) {
  auto r =
      ExtractPayload(MakeArchive({{"big", AE_IFREG, std::string(4096, 'a')}}),
                     dir_, /*max_total_size=*/1000);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(ExtractTest, SetuidBitDropped) {
  auto r = ExtractPayload(MakeArchive({{"s", AE_IFREG, "x", 04755}}), dir_);
  ASSERT_TRUE(r.ok()) << r.status();
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/s").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(ExtractTest, TruncatedArchiveRefused) {
  std::string tar = MakeArchive({{"a", AE_IFREG, std::string(5000, 'a')}});
  auto r = ExtractPayload(tar.substr(0, 2000), dir_);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace candor::payload
