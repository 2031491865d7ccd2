#include "services/registrar/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace candor::registrar {

std::string SourceKey(absl::string_view peer) {
  if (absl::ConsumePrefix(&peer, "ipv4:")) {
    const size_t colon = peer.rfind(':');
    return std::string(
        colon == absl::string_view::npos ? peer : peer.substr(0, colon));
  }
  if (absl::ConsumePrefix(&peer, "ipv6:")) {
    std::string text = absl::StrReplaceAll(
        peer, {{"%5B", "["}, {"%5D", "]"}, {"%5b", "["}, {"%5d", "]"}});
    absl::string_view host = text;
    if (absl::StartsWith(host, "[")) {
      const size_t close = host.find(']');
      host = host.substr(
          1, close == absl::string_view::npos ? host.size() - 1 : close - 1);
    }
    const size_t zone = host.find('%');  // link-local zone id
    std::string addr(host.substr(0, zone));
    unsigned char buf[16];
    if (inet_pton(AF_INET6, addr.c_str(), buf) != 1) {
      return absl::StrCat("ipv6:", addr);
    }
    // An IPv4-mapped address counts as its IPv4 address.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0,    0,
                                              0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buf, kMapped, sizeof(kMapped)) == 0) {
      return absl::StrCat(buf[12], ".", buf[13], ".", buf[14], ".", buf[15]);
    }
    std::memset(buf + 8, 0, 8);
    char out[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, buf, out, sizeof(out));
    return absl::StrCat(out, "/64");
  }
  return std::string(peer);
}

double RateLimiter::Refilled(const Bucket& b, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
  return std::min(std::max(options_.burst, 1.0),
                  b.tokens + elapsed * options_.rate_per_second);
}

void RateLimiter::MakeRoom(absl::Time now) {
  const double full = std::max(options_.burst, 1.0);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (Refilled(it->second, now) >= full) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= options_.max_sources) buckets_.clear();
}

bool RateLimiter::Allow(absl::string_view source) {
  if (!enabled()) return true;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_sources) MakeRoom(now);
    it = buckets_
             .emplace(std::string(source),
                      Bucket{std::max(options_.burst, 1.0), now})
             .first;
  }
  Bucket& b = it->second;
  b.tokens = Refilled(b, now);
  b.updated = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

size_t RateLimiter::tracked_sources() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace candor::registrar
