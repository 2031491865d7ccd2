// File: tests/harness/ports.h
//
// Loopback ports for test servers. Sockets are returned bound and listening so
// that a child can inherit them (swtpm's `--server type=tcp,fd=N`) without a
// window in which another test could take the port.
#ifndef CANDOR_TESTS_HARNESS_PORTS_H_
#define CANDOR_TESTS_HARNESS_PORTS_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::testing {

// A listening TCP socket on 127.0.0.1. Closes the socket on destruction.
class ListeningSocket {
 public:
  ListeningSocket() = default;
  ListeningSocket(int fd, int port) : fd_(fd), port_(port) {}
  ListeningSocket(ListeningSocket&& o) noexcept { *this = std::move(o); }
  ListeningSocket& operator=(ListeningSocket&& o) noexcept;
  ~ListeningSocket();
  int fd() const { return fd_; }
  int port() const { return port_; }
  // Closes the socket now (the port becomes free for a process to bind).
  void Close();

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Binds 127.0.0.1:`port` (0 = any free port) and listens.
absl::StatusOr<ListeningSocket> Listen(int port);

// Two listening sockets on consecutive ports P and P+1 (swtpm's TCTI expects
// the control port right after the server port). Retries until a pair is free.
struct PortPair {
  ListeningSocket server;
  ListeningSocket control;
};
absl::StatusOr<PortPair> ListenOnConsecutivePorts();

// A port that was free a moment ago (for servers that must bind it
// themselves, such as postgres). Callers retry on "address in use".
absl::StatusOr<int> PickFreePort();

// True if something accepts TCP connections on 127.0.0.1:`port` now.
bool CanConnect(int port);

// Waits until 127.0.0.1:`port` accepts connections, up to `timeout`.
// `alive` is asked between probes; when it returns false the wait ends with
// UNAVAILABLE (the server died). For servers that give no readiness signal.
absl::Status WaitForPort(int port, absl::Duration timeout,
                         const std::function<bool()>& alive);

}  // namespace candor::testing

#endif  // CANDOR_TESTS_HARNESS_PORTS_H_
