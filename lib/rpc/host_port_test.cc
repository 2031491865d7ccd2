#include "lib/rpc/host_port.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::rpc {
namespace {

using ::testing::HasSubstr;

TEST(HostPortTest, AcceptsDnsIpv4AndBracketedIpv6) {
  for (const char* ok : {"node-1.example.com:9002", "localhost:1",
                         "127.0.0.1:65535", "[::1]:8890", "[fe80::1]:443"}) {
    EXPECT_TRUE(CheckHostPort(ok).ok()) << ok;
  }
}

TEST(HostPortTest, RefusalsSayWhy) {
  struct Case {
    std::string address;
    const char* why;
  } cases[] = {
      {"node", "no port"},
      {"node:0", "port must be a number from 1 to 65535"},
      {"node:65536", "port must be a number"},
      {"node:+80", "port must be a number"},
      {":80", "host is empty"},
      {"[::1:80", "unclosed IPv6 bracket"},
      {"[zz]:80", "not an IPv6 address"},
      {"::1:80", "must be in brackets"},
      {"256.1.1.1:80", "not a valid IPv4 address"},
      {"-bad-.com:80", "not a valid DNS name"},
      {"a..b:80", "not a valid DNS name"},
      {std::string("a\x01") + ":80", "not a valid DNS name"},
      {std::string(300, 'a') + ":80", "not a valid DNS name"},
  };
  for (const Case& c : cases) {
    absl::Status s = CheckHostPort(c.address);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.address;
    EXPECT_THAT(s.message(), HasSubstr(c.why)) << c.address;
    EXPECT_THAT(s.message(), HasSubstr("is not \"host:port\""));
  }
  // Escaped and cut.
  EXPECT_THAT(CheckHostPort(std::string("x\n") + std::string(100, 'y')).message(),
              HasSubstr("x\\n"));
  EXPECT_THAT(CheckHostPort(std::string(100, 'y')).message(), HasSubstr("...\""));
}

}  // namespace
}  // namespace candor::rpc
