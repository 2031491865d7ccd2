#include "services/verifier/store/policy_store_conformance.h"
#include "tests/harness/resources.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "lib/crypto/digest.h"

namespace candor::verifier::testing {
namespace {

using ::testing::HasSubstr;

constexpr v1::PolicyKind kRuntime = v1::POLICY_KIND_RUNTIME;
constexpr v1::PolicyKind kBoot = v1::POLICY_KIND_BOOT;

// Content with a NUL and a high byte: stored as bytes, not text.
std::string Doc(absl::string_view tag) {
  return absl::StrCat("{\"tag\": \"", tag, "\"}", std::string(1, '\0'), "\xff");
}

std::vector<std::string> Names(const PolicyPage& page) {
  std::vector<std::string> out;
  for (const PolicyVersionInfo& p : page.policies) out.push_back(p.name);
  return out;
}

}  // namespace

void PolicyStoreConformance::SetUp() {
  absl::StatusOr<PolicyStoreUnderTest> sut = GetParam()();
  // Fails under CI=true, skips otherwise (tests/harness/resources.h).
  CANDOR_REQUIRE_RESOURCE(sut);
  sut_ = std::move(*sut);
  store_ = sut_.store.get();
}

size_t PolicyStoreConformance::ContentCount() {
  absl::StatusOr<size_t> n = sut_.content_count();
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : 0;
}

TEST_P(PolicyStoreConformance, CreateThenGetRoundTripsEveryField) {
  const std::string doc = Doc("a");
  const absl::Time before = absl::Now() - absl::Seconds(5);
  auto created = store_->Create("ima-prod_1.x", kRuntime, doc, "");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name, "ima-prod_1.x");
  EXPECT_EQ(created->kind, kRuntime);
  EXPECT_EQ(created->version, 1u);
  EXPECT_EQ(created->sha256, crypto::Sha256(doc));
  EXPECT_EQ(created->size_bytes, doc.size());
  EXPECT_GT(created->created_at, before);

  auto got = store_->Get("ima-prod_1.x", 0, /*include_content=*/true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->info.version, 1u);
  EXPECT_EQ(got->info.sha256, created->sha256);
  EXPECT_EQ(got->info.created_at, created->created_at);
  EXPECT_EQ(got->content, doc);
  auto meta = store_->Get("ima-prod_1.x", 1, /*include_content=*/false);
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->info.size_bytes, doc.size());
  EXPECT_TRUE(meta->content.empty());
}

TEST_P(PolicyStoreConformance, CreateRefusesTakenNameBadNameKindAndSha) {
  ASSERT_TRUE(store_->Create("p", kRuntime, Doc("a"), "").ok());
  EXPECT_EQ(store_->Create("p", kRuntime, Doc("b"), "").status().code(),
            absl::StatusCode::kAlreadyExists);
  for (const std::string& bad :
       {std::string(), std::string(129, 'a'), std::string("a b"),
        std::string("a/b"), std::string("caf\xc3\xa9")}) {
    absl::Status s = store_->Create(bad, kRuntime, Doc("a"), "").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(store_->Create(std::string(128, 'Z'), kBoot, "{}", "").ok());
  EXPECT_EQ(store_->Create("q", v1::POLICY_KIND_UNSPECIFIED, "{}", "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status wrong =
      store_->Create("q", kRuntime, "{}", crypto::Sha256("other")).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.message()), HasSubstr("expected_sha256"));
  EXPECT_EQ(store_->Get("q", 0, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->Create("q", kRuntime, "{}", crypto::Sha256("{}")).ok());
}

TEST_P(PolicyStoreConformance, SameContentUnderTwoNamesIsStoredOnce) {
  const std::string doc = Doc("shared");
  auto a = store_->Create("a", kRuntime, doc, "");
  auto b = store_->Create("b", kRuntime, doc, "");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(ContentCount(), 1u);
  ASSERT_TRUE(store_->Delete("a").ok());
  EXPECT_EQ(ContentCount(), 1u);  // b still uses it
  auto got = store_->Get("b", 0, true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->content, doc);
}

TEST_P(PolicyStoreConformance, UpdateBumpsTheVersionAndKeepsOldOnes) {
  ASSERT_TRUE(store_->Create("p", kBoot, Doc("1"), "").ok());
  auto v2 = store_->Update("p", Doc("2"), "");
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->version, 2u);
  EXPECT_EQ(v2->kind, kBoot);
  auto v3 = store_->Update("p", Doc("3"), crypto::Sha256(Doc("3")));
  ASSERT_TRUE(v3.ok()) << v3.status();
  EXPECT_EQ(v3->version, 3u);
  // Back to version 1's content: a new version, the content stored once.
  auto v4 = store_->Update("p", Doc("1"), "");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->version, 4u);
  EXPECT_EQ(ContentCount(), 3u);
  EXPECT_EQ(store_->Get("p", 0, true)->content, Doc("1"));
  EXPECT_EQ(store_->Get("p", 2, true)->content, Doc("2"));
  EXPECT_EQ(store_->Get("p", 3, false)->info.sha256, crypto::Sha256(Doc("3")));
  absl::Status missing = store_->Get("p", 5, false).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("version 5"));
  EXPECT_EQ(store_->Update("p", Doc("x"), crypto::Sha256("y")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Get("p", 0, false)->info.version, 4u);
}

TEST_P(PolicyStoreConformance, IdenticalUpdateIsANoOp) {
  auto v1 = store_->Create("p", kRuntime, Doc("1"), "");
  ASSERT_TRUE(v1.ok());
  auto same = store_->Update("p", Doc("1"), "");
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->version, 1u);
  EXPECT_EQ(same->created_at, v1->created_at);
  ASSERT_TRUE(store_->Update("p", Doc("2"), "").ok());
  auto again = store_->Update("p", Doc("2"), "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 2u);
  EXPECT_EQ(store_->Get("p", 3, false).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(PolicyStoreConformance, UpdateGetDeleteOfMissingNameIsNotFound) {
  EXPECT_EQ(store_->Update("nope", "{}", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("nope", 0, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("nope", 1, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("nope").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("bad name").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(PolicyStoreConformance, DeleteRemovesAllVersionsAndUnusedContents) {
  ASSERT_TRUE(store_->Create("p", kRuntime, Doc("1"), "").ok());
  ASSERT_TRUE(store_->Update("p", Doc("2"), "").ok());
  ASSERT_TRUE(store_->Update("p", Doc("3"), "").ok());
  ASSERT_TRUE(store_->Create("other", kRuntime, Doc("2"), "").ok());
  EXPECT_EQ(ContentCount(), 3u);
  ASSERT_TRUE(store_->Delete("p").ok());
  EXPECT_EQ(ContentCount(), 1u);  // Doc("2") is still other's
  for (uint32_t v : {0u, 1u, 2u, 3u}) {
    EXPECT_EQ(store_->Get("p", v, false).status().code(),
              absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(store_->Delete("p").code(), absl::StatusCode::kNotFound);
  // The name can be created again, starting over at version 1.
  auto again = store_->Create("p", kBoot, Doc("1"), "");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->version, 1u);
  EXPECT_EQ(again->kind, kBoot);
  ASSERT_TRUE(store_->Delete("other").ok());
  ASSERT_TRUE(store_->Delete("p").ok());
  EXPECT_EQ(ContentCount(), 0u);
}

TEST_P(PolicyStoreConformance, ListPagesLatestVersionsByNameAndKind) {
  for (const char* n : {"c", "a", "e", "B", "d"}) {
    const v1::PolicyKind kind = std::string(n) == "d" ? kBoot : kRuntime;
    ASSERT_TRUE(store_->Create(n, kind, Doc(n), "").ok()) << n;
  }
  ASSERT_TRUE(store_->Update("c", Doc("c2"), "").ok());
  auto all = store_->List(v1::POLICY_KIND_UNSPECIFIED, 0, "");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(Names(*all), (std::vector<std::string>{"B", "a", "c", "d", "e"}));
  EXPECT_EQ(all->policies[2].version, 2u);
  EXPECT_TRUE(all->next_page_token.empty());

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->List(kRuntime, 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const std::string& n : Names(*page)) seen.push_back(n);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"B", "a", "c", "e"}));
  EXPECT_EQ(pages, 2);

  auto boot = store_->List(kBoot, 1000000, "");
  ASSERT_TRUE(boot.ok());
  EXPECT_EQ(Names(*boot), std::vector<std::string>{"d"});

  auto first = store_->List(kRuntime, 1, "");
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token.empty());
  EXPECT_EQ(store_->List(kBoot, 1, first->next_page_token).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List(kRuntime, 1, "garbage!").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(PolicyStoreConformance, ListDefaultPageIs100) {
  for (int i = 0; i < 101; ++i) {
    ASSERT_TRUE(store_
                    ->Create(absl::StrCat("p", 1000 + i), kRuntime,
                             Doc(absl::StrCat(i)), "")
                    .ok());
  }
  auto page = store_->List(v1::POLICY_KIND_UNSPECIFIED, 0, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->policies.size(), 100u);
  auto rest =
      store_->List(v1::POLICY_KIND_UNSPECIFIED, 0, page->next_page_token);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(Names(*rest), std::vector<std::string>{"p1100"});
  EXPECT_TRUE(rest->next_page_token.empty());
}

TEST_P(PolicyStoreConformance, ConcurrentUpdatesNeverShareAVersion) {
  ASSERT_TRUE(store_->Create("hot", kRuntime, Doc("0"), "").ok());
  constexpr int kThreads = 4, kEach = 15;
  absl::Mutex mu;
  std::vector<uint32_t> versions;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto v = store_->Update("hot", Doc(absl::StrCat(t, "-", i)), "");
        absl::MutexLock lock(&mu);
        if (v.ok()) {
          versions.push_back(v->version);
        } else {
          errors.push_back(v.status().ToString());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::set<uint32_t> distinct(versions.begin(), versions.end());
  EXPECT_EQ(distinct.size(), versions.size());
  ASSERT_EQ(versions.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*distinct.begin(), 2u);
  EXPECT_EQ(*distinct.rbegin(), static_cast<uint32_t>(kThreads * kEach + 1));
  EXPECT_EQ(store_->Get("hot", 0, false)->info.version,
            static_cast<uint32_t>(kThreads * kEach + 1));
}

TEST_P(PolicyStoreConformance, ConcurrentCreateAndDeleteSharingContent) {
  // One content under names created and deleted from several threads, so it
  // keeps losing its last reference while another name starts using it: no
  // call fails, and it is stored exactly while some name uses it.
  const std::string doc = Doc("shared");
  std::vector<std::thread> threads;
  std::vector<std::string> errors;
  absl::Mutex mu;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string name = absl::StrCat("n", t, "-", i);
        absl::Status s = store_->Create(name, kRuntime, doc, "").status();
        if (s.ok()) s = store_->Get(name, 0, true).status();
        if (s.ok()) s = store_->Delete(name);
        if (!s.ok()) {
          absl::MutexLock lock(&mu);
          errors.push_back(s.ToString());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(ContentCount(), 0u);
  ASSERT_TRUE(store_->Create("keep", kRuntime, doc, "").ok());
  EXPECT_EQ(ContentCount(), 1u);
  auto got = store_->Get("keep", 0, true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->content, doc);
}

}  // namespace candor::verifier::testing
