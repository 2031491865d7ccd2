#include "lib/policy/runtime/tree_hasher.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"

namespace candor::policy {
namespace {

struct Item {
  std::string real_path;
  std::string policy_path;
  ima::Digest digest;
  std::string error;  // non-empty: not hashed
};

void Warn(CreateStats* stats, std::string w) {
  if (stats->warnings.size() < 20) stats->warnings.push_back(std::move(w));
}

// Collects the regular files under `root` (iteratively: no recursion depth
// limit).
void Walk(const std::string& root, dev_t root_dev, const TreeOptions& o,
          std::vector<Item>* items, CreateStats* stats) {
  std::vector<std::pair<std::string, std::string>> dirs = {{root, "/"}};
  while (!dirs.empty()) {
    auto [real_dir, policy_dir] = std::move(dirs.back());
    dirs.pop_back();
    DIR* d = opendir(real_dir.c_str());
    if (d == nullptr) {
      ++stats->unreadable;
      Warn(stats, absl::StrCat(real_dir, ": ", std::strerror(errno)));
      continue;
    }
    while (struct dirent* de = readdir(d)) {
      const absl::string_view name(de->d_name);
      if (name == "." || name == "..") continue;
      std::string real =
          absl::StrCat(real_dir, real_dir.back() == '/' ? "" : "/", name);
      std::string mapped =
          absl::StrCat(policy_dir, policy_dir == "/" ? "" : "/",
                       absl::StrReplaceAll(name, {{" ", "_"}}));
      struct stat st;
      if (lstat(real.c_str(), &st) != 0) {
        ++stats->unreadable;
        Warn(stats, absl::StrCat(real, ": ", std::strerror(errno)));
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (!o.cross_filesystems && st.st_dev != root_dev) continue;
        dirs.emplace_back(std::move(real), std::move(mapped));
      } else if (S_ISREG(st.st_mode)) {
        ++stats->entries;
        if (o.excludes != nullptr && o.excludes->Matches(mapped)) {
          ++stats->excluded;
          continue;
        }
        items->push_back(Item{std::move(real), std::move(mapped), {}, {}});
      }
    }
    closedir(d);
  }
}

// Hashes one file with `ctx`; false sets item->error.
bool HashFile(EVP_MD_CTX* ctx, const EVP_MD* md, std::vector<char>* buf,
              Item* item, std::atomic<uint64_t>* bytes) {
  const int fd =
      open(item->real_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    item->error = std::strerror(errno);
    return false;
  }
  bool ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1;
  while (ok) {
    const ssize_t n = read(fd, buf->data(), buf->size());
    if (n < 0) {
      if (errno == EINTR) continue;
      item->error = std::strerror(errno);
      ok = false;
      break;
    }
    if (n == 0) break;
    bytes->fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    ok = EVP_DigestUpdate(ctx, buf->data(), static_cast<size_t>(n)) == 1;
  }
  close(fd);
  unsigned int len = 0;
  if (ok && EVP_DigestFinal_ex(ctx, item->digest.bytes, &len) != 1) ok = false;
  if (!ok && item->error.empty()) item->error = "digest failed";
  item->digest.size = static_cast<uint8_t>(len);
  return ok;
}

}  // namespace

absl::Status AddDirectoryTree(const TreeOptions& o, PolicyBuilder* builder,
                              CreateStats* stats) {
  struct stat st;
  if (stat(o.root.c_str(), &st) != 0) {
    const int err = errno;
    std::string msg = absl::StrCat(o.root, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg)
                         : absl::InvalidArgumentError(msg);
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(o.root, ": not a directory"));
  }
  const char* md_name = ima::HashAlgoOpensslName(o.algo);
  crypto::OsslPtr<EVP_MD> md(
      md_name == nullptr ? nullptr : EVP_MD_fetch(nullptr, md_name, nullptr));
  if (md == nullptr) {
    return crypto::SslError(absl::StatusCode::kInternal, "EVP_MD_fetch");
  }
  std::vector<Item> items;
  Walk(o.root, st.st_dev, o, &items, stats);

  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::atomic<uint64_t> bytes{0};
  std::mutex mu;
  std::condition_variable cv;
  int threads = o.threads > 0
                    ? o.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      crypto::OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
      std::vector<char> buf(1 << 20);
      for (size_t i = next++; i < items.size(); i = next++) {
        if (ctx == nullptr) {
          items[i].error = "out of memory";
        } else {
          HashFile(ctx.get(), md.get(), &buf, &items[i], &bytes);
        }
        if (done.fetch_add(1) + 1 == items.size()) {
          std::lock_guard<std::mutex> l(mu);
          cv.notify_all();
        }
      }
    });
  }
  {
    std::unique_lock<std::mutex> l(mu);
    while (done.load() < items.size()) {
      cv.wait_for(l, std::chrono::milliseconds(500));
      if (o.progress) o.progress(done.load(), items.size(), bytes.load());
    }
  }
  for (std::thread& t : pool) t.join();
  stats->bytes_hashed += bytes.load();
  for (Item& item : items) {
    if (!item.error.empty()) {
      ++stats->unreadable;
      Warn(stats, absl::StrCat(item.real_path, ": ", item.error));
      continue;
    }
    item.digest.algo = o.algo;
    if (!builder->AddDigest(item.policy_path, item.digest)) {
      ++stats->skipped_non_utf8;
      Warn(stats,
           absl::StrCat(item.real_path, ": skipped, the name is not UTF-8"));
    }
  }
  return absl::OkStatus();
}

}  // namespace candor::policy
