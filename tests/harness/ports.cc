#include "tests/harness/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace candor::testing {

ListeningSocket& ListeningSocket::operator=(ListeningSocket&& o) noexcept {
  if (this != &o) {
    Close();
    fd_ = std::exchange(o.fd_, -1);
    port_ = std::exchange(o.port_, 0);
  }
  return *this;
}

ListeningSocket::~ListeningSocket() { Close(); }

void ListeningSocket::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

absl::StatusOr<ListeningSocket> Listen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 16) != 0) {
    int err = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("bind/listen 127.0.0.1:", port, ": ", strerror(err)));
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ListeningSocket(fd, ntohs(addr.sin_port));
}

absl::StatusOr<PortPair> ListenOnConsecutivePorts() {
  for (int attempt = 0; attempt < 64; ++attempt) {
    absl::StatusOr<ListeningSocket> first = Listen(0);
    if (!first.ok()) return first.status();
    if (first->port() >= 65535) continue;
    absl::StatusOr<ListeningSocket> second = Listen(first->port() + 1);
    if (second.ok()) return PortPair{std::move(*first), std::move(*second)};
  }
  return absl::UnavailableError("no two consecutive free loopback ports");
}

absl::StatusOr<int> PickFreePort() {
  absl::StatusOr<ListeningSocket> s = Listen(0);
  if (!s.ok()) return s.status();
  return s->port();
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

absl::Status WaitForPort(int port, absl::Duration timeout,
                         const std::function<bool()>& alive) {
  absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(1);
  while (!CanConnect(port)) {
    if (!alive()) {
      return absl::UnavailableError(
          absl::StrCat("the server for port ", port, " exited"));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "nothing listens on 127.0.0.1:", port, " after ",
          absl::FormatDuration(timeout)));
    }
    // Readiness probe: such servers give no other signal to wait on.
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
  return absl::OkStatus();
}

}  // namespace candor::testing
