#include "services/registrar/store/store_conformance.h"
#include "tests/harness/resources.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"

namespace candor::registrar::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixMicros(1767225600123456);

Binding MakeBinding(const std::string& id, const std::string& tag) {
  Binding b;
  b.identity.set_agent_id(id);
  b.identity.set_ek_public(
      absl::StrCat("ek-", tag, std::string(1, '\0'), "\xff"));
  b.identity.set_ek_certificate(absl::StrCat("cert-", tag));
  b.identity.set_ak_public(absl::StrCat("ak-", tag));
  b.identity.set_ak_name(absl::StrCat("name-", tag));
  b.identity.set_transport_public_key("tk");
  b.identity.set_tls_certificate("tls");
  b.identity.set_simulated(tag == "sim");
  b.address = absl::StrCat(tag, ".example:9002");
  b.ek_trust = "CN=Test Root";
  return b;
}

Registration Pending(const std::string& id, absl::Time expires) {
  Registration r;
  r.agent_id = id;
  r.registered_at = kT0;
  r.registration_count = 1;
  r.pending =
      PendingChallenge{MakeBinding(id, "p"), std::string(32, 'd'), expires, 0};
  return r;
}

Registration Active(const std::string& id) {
  Registration r;
  r.agent_id = id;
  r.registered_at = kT0;
  r.activated_at = kT0 + absl::Seconds(1);
  r.registration_count = 3;
  r.active = MakeBinding(id, "a");
  return r;
}

void ExpectSameBinding(const Binding& a, const Binding& b) {
  EXPECT_EQ(a.identity.SerializeAsString(), b.identity.SerializeAsString());
  EXPECT_EQ(a.address, b.address);
  EXPECT_EQ(a.ek_trust, b.ek_trust);
}

void ExpectSame(const Registration& a, const Registration& b) {
  EXPECT_EQ(a.agent_id, b.agent_id);
  EXPECT_EQ(a.registered_at, b.registered_at);
  EXPECT_EQ(a.activated_at, b.activated_at);
  EXPECT_EQ(a.registration_count, b.registration_count);
  ASSERT_EQ(a.active.has_value(), b.active.has_value());
  if (a.active) ExpectSameBinding(*a.active, *b.active);
  ASSERT_EQ(a.pending.has_value(), b.pending.has_value());
  if (a.pending) {
    ExpectSameBinding(a.pending->binding, b.pending->binding);
    EXPECT_EQ(a.pending->proof_digest, b.pending->proof_digest);
    EXPECT_EQ(a.pending->expires_at, b.pending->expires_at);
    EXPECT_EQ(a.pending->failed_proofs, b.pending->failed_proofs);
  }
}

RegistrarStore::Mutation Put(Registration r) {
  return [r](std::optional<Registration>)
             -> absl::StatusOr<std::optional<Registration>> { return r; };
}

std::vector<std::string> Ids(const std::vector<Registration>& rows) {
  std::vector<std::string> out;
  for (const Registration& r : rows) out.push_back(r.agent_id);
  return out;
}

}  // namespace

void RegistrarStoreConformance::SetUp() {
  absl::StatusOr<std::unique_ptr<RegistrarStore>> store = GetParam()();
  // Fails under CI=true, skips otherwise (tests/harness/resources.h).
  CANDOR_REQUIRE_RESOURCE(store);
  store_ = std::move(*store);
}

TEST_P(RegistrarStoreConformance, RoundTripsEveryField) {
  Registration both = Active("agent-1");
  both.pending = Pending("agent-1", kT0 + absl::Minutes(10)).pending;
  both.pending->failed_proofs = 2;
  ASSERT_TRUE(store_->Update("agent-1", Put(both)).ok());
  auto got = store_->Get("agent-1");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  ExpectSame(**got, both);
  EXPECT_EQ((*got)->state(), v1::REGISTRATION_STATE_ACTIVE);

  Registration pending = Pending("agent-2", kT0);
  ASSERT_TRUE(store_->Update("agent-2", Put(pending)).ok());
  got = store_->Get("agent-2");
  ASSERT_TRUE(got.ok() && got->has_value());
  ExpectSame(**got, pending);
  EXPECT_EQ((*got)->state(), v1::REGISTRATION_STATE_PENDING_ACTIVATION);
}

TEST_P(RegistrarStoreConformance, GetOfAnUnknownIdIsEmpty) {
  auto got = store_->Get("nobody");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST_P(RegistrarStoreConformance, MutationSeesTheCurrentRowAndMayDeleteIt) {
  ASSERT_TRUE(store_->Update("a1", Put(Active("a1"))).ok());
  bool saw = false;
  ASSERT_TRUE(store_
                  ->Update("a1",
                           [&](std::optional<Registration> cur)
                               -> absl::StatusOr<std::optional<Registration>> {
                             saw = cur.has_value() &&
                                   cur->registration_count == 3;
                             return std::optional<Registration>();
                           })
                  .ok());
  EXPECT_TRUE(saw);
  EXPECT_FALSE(store_->Get("a1")->has_value());
}

TEST_P(RegistrarStoreConformance, AFailedMutationWritesNothing) {
  ASSERT_TRUE(store_->Update("a1", Put(Active("a1"))).ok());
  absl::Status s =
      store_->Update("a1",
                     [](std::optional<Registration>)
                         -> absl::StatusOr<std::optional<Registration>> {
                       return absl::AlreadyExistsError("immutable a1");
                     });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(s.message()), HasSubstr("immutable a1"));
  ExpectSame(**store_->Get("a1"), Active("a1"));
  // Nor does a failed insert.
  s = store_->Update("a2",
                     [](std::optional<Registration>)
                         -> absl::StatusOr<std::optional<Registration>> {
                       return absl::PermissionDeniedError("no");
                     });
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(store_->Get("a2")->has_value());
}

TEST_P(RegistrarStoreConformance, AMutationMustKeepTheAgentId) {
  absl::Status s = store_->Update("a1", Put(Active("a2")));
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_FALSE(store_->Get("a1")->has_value());
  EXPECT_FALSE(store_->Get("a2")->has_value());
}

TEST_P(RegistrarStoreConformance, ListsInBytewiseOrderByPageAndState) {
  for (const char* id : {"z", "ab", "a.b", "a", "b1", "a-b"}) {
    Registration r = std::string(id) == "ab" || std::string(id) == "z"
                         ? Pending(id, kT0)
                         : Active(id);
    ASSERT_TRUE(store_->Update(id, Put(r)).ok()) << id;
  }
  auto page = store_->List("", 3, v1::REGISTRATION_STATE_UNSPECIFIED);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Ids(*page), ElementsAre("a", "a-b", "a.b"));
  page = store_->List("a.b", 10, v1::REGISTRATION_STATE_UNSPECIFIED);
  EXPECT_THAT(Ids(*page), ElementsAre("ab", "b1", "z"));
  page = store_->List("", 10, v1::REGISTRATION_STATE_ACTIVE);
  EXPECT_THAT(Ids(*page), ElementsAre("a", "a-b", "a.b", "b1"));
  page = store_->List("a-b", 1, v1::REGISTRATION_STATE_PENDING_ACTIVATION);
  EXPECT_THAT(Ids(*page), ElementsAre("ab"));
  page = store_->List("z", 10, v1::REGISTRATION_STATE_UNSPECIFIED);
  EXPECT_TRUE(page->empty());
}

TEST_P(RegistrarStoreConformance, DeleteSaysWhetherThereWasARow) {
  ASSERT_TRUE(store_->Update("a1", Put(Active("a1"))).ok());
  EXPECT_EQ(store_->Delete("a1").value_or(false), true);
  EXPECT_EQ(store_->Delete("a1").value_or(true), false);
  EXPECT_FALSE(store_->Get("a1")->has_value());
}

TEST_P(RegistrarStoreConformance, PurgeDropsOnlyExpiredChallenges) {
  Registration both = Active("active-expired");
  both.pending = Pending("active-expired", kT0).pending;
  ASSERT_TRUE(store_->Update(both.agent_id, Put(both)).ok());
  ASSERT_TRUE(
      store_->Update("pending-expired", Put(Pending("pending-expired", kT0)))
          .ok());
  ASSERT_TRUE(store_
                  ->Update("pending-live",
                           Put(Pending("pending-live", kT0 + absl::Hours(2))))
                  .ok());
  ASSERT_TRUE(store_->Update("active", Put(Active("active"))).ok());
  auto n = store_->PurgeExpired(kT0 + absl::Hours(1));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 2u);
  EXPECT_FALSE(store_->Get("pending-expired")->has_value());
  auto kept = store_->Get("active-expired");
  ASSERT_TRUE(kept->has_value());
  EXPECT_FALSE((*kept)->pending.has_value());
  EXPECT_TRUE((*kept)->active.has_value());
  EXPECT_TRUE(store_->Get("pending-live")->has_value());
  EXPECT_TRUE(store_->Get("active")->has_value());
}

TEST_P(RegistrarStoreConformance, ConcurrentMutationsOfOneIdAreSerialized) {
  constexpr int kThreads = 6, kEach = 20;
  std::vector<std::thread> threads;
  std::vector<absl::Status> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::Status s = store_->Update(
            "shared",
            [](std::optional<Registration> cur)
                -> absl::StatusOr<std::optional<Registration>> {
              Registration next = cur.has_value() ? *cur : Active("shared");
              if (cur.has_value())
                ++next.registration_count;
              else
                next.registration_count = 1;
              return next;
            });
        if (!s.ok()) errors[t] = s;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const absl::Status& s : errors) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ((*store_->Get("shared"))->registration_count,
            static_cast<uint32_t>(kThreads * kEach));
}

}  // namespace candor::registrar::testing
