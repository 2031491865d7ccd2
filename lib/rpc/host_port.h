// File: lib/rpc/host_port.h
//
// The syntax of a "host:port" address as Candor stores it (an agent's
// registered address, a verifier override): host a DNS name, a dotted IPv4
// address or a bracketed IPv6 address; port 1-65535. Nothing is resolved.
// The registrar and the verifier check addresses with this one function.
#ifndef CANDOR_LIB_RPC_HOST_PORT_H_
#define CANDOR_LIB_RPC_HOST_PORT_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace candor::rpc {

// OK, or INVALID_ARGUMENT saying what is wrong, in the form
// "\"<address, escaped, cut at 64 bytes>\" is not \"host:port\": <why>";
// callers prefix the field.
absl::Status CheckHostPort(absl::string_view address);

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_HOST_PORT_H_
