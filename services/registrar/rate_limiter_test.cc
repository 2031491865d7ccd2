// Per-source token buckets (with a fake clock: no sleeps) and how gRPC peer
// strings become sources.
#include "services/registrar/rate_limiter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registrar/testing/fake_clock.h"

namespace candor::registrar {
namespace {

TEST(SourceKeyTest, KeysByAddressAndIpv6Slash64) {
  EXPECT_EQ(SourceKey("ipv4:10.0.0.5:51234"), "10.0.0.5");
  EXPECT_EQ(SourceKey("ipv6:[2001:db8:1:2:3:4:5:6]:51234"),
            "2001:db8:1:2::/64");
  EXPECT_EQ(SourceKey("ipv6:%5B2001:db8:1:2::9%5D:7"), "2001:db8:1:2::/64");
  EXPECT_EQ(SourceKey("ipv6:[::ffff:10.1.2.3]:80"), "10.1.2.3");
  EXPECT_EQ(SourceKey("ipv6:[fe80::1%eth0]:80"), "fe80::/64");
  EXPECT_EQ(SourceKey("unix:/run/x.sock"), "unix:/run/x.sock");
}

TEST(RateLimiterTest, AllowsTheBurstThenTheRate) {
  testing::FakeClock clock;
  RateLimiter limiter({/*rate_per_second=*/2, /*burst=*/3}, &clock);
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
  // Another source has its own bucket.
  EXPECT_TRUE(limiter.Allow("b"));
  clock.Advance(absl::Milliseconds(500));  // one token back
  EXPECT_TRUE(limiter.Allow("a"));
  EXPECT_FALSE(limiter.Allow("a"));
  clock.Advance(absl::Hours(1));  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("a")) << i;
  EXPECT_FALSE(limiter.Allow("a"));
}

TEST(RateLimiterTest, ZeroRateDisablesIt) {
  testing::FakeClock clock;
  RateLimiter limiter({0, 1}, &clock);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Allow("a"));
}

TEST(RateLimiterTest, MemoryIsBoundedAndIdleSourcesGoFirst) {
  testing::FakeClock clock;
  RateLimiter limiter({1, 2, /*max_sources=*/3}, &clock);
  EXPECT_TRUE(limiter.Allow("busy"));
  EXPECT_TRUE(limiter.Allow("busy"));
  EXPECT_TRUE(limiter.Allow("idle1"));
  EXPECT_TRUE(limiter.Allow("idle2"));
  clock.Advance(absl::Milliseconds(1500));  // idle ones refilled, busy not
  EXPECT_TRUE(limiter.Allow("new"));
  EXPECT_EQ(limiter.tracked_sources(), 2u);  // busy + new
  EXPECT_TRUE(limiter.Allow("busy"));
  EXPECT_FALSE(limiter.Allow("busy"));  // busy kept its (low) balance
}

}  // namespace
}  // namespace candor::registrar
