#include "lib/rpc/host_port.h"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace candor::rpc {
namespace {

bool IsDnsLabelChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-';
}

bool IsDnsName(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (absl::string_view label : absl::StrSplit(host, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), IsDnsLabelChar)) {
      return false;
    }
  }
  return true;
}

bool Parses(int family, absl::string_view text) {
  std::string s(text);
  unsigned char buf[16];
  return inet_pton(family, s.c_str(), buf) == 1;
}

}  // namespace

absl::Status CheckHostPort(absl::string_view address) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", absl::CHexEscape(address.substr(0, 64)),
        address.size() > 64 ? "...\"" : "\"", " is not \"host:port\": ", why));
  };
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return bad("no port");
  absl::string_view host = address.substr(0, colon);
  absl::string_view port_text = address.substr(colon + 1);
  int port = 0;
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535) {
    return bad("the port must be a number from 1 to 65535");
  }
  if (host.empty()) return bad("the host is empty");
  if (absl::StartsWith(host, "[")) {
    if (host.size() < 2 || !absl::EndsWith(host, "]")) {
      return bad("unclosed IPv6 bracket");
    }
    if (!Parses(AF_INET6, host.substr(1, host.size() - 2))) {
      return bad("the bracketed host is not an IPv6 address");
    }
    return absl::OkStatus();
  }
  if (absl::StrContains(host, ':')) {
    return bad("an IPv6 address must be in brackets");
  }
  if (std::all_of(host.begin(), host.end(),
                  [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    if (!Parses(AF_INET, host)) {
      return bad("the host is not a valid IPv4 address");
    }
    return absl::OkStatus();
  }
  if (!IsDnsName(host)) return bad("the host is not a valid DNS name");
  return absl::OkStatus();
}

}  // namespace candor::rpc
