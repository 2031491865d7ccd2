// File: lib/rpc/limits.h
//
// The one stated maximum gRPC message size, for every Candor server and
// client (protos/candor/v1/README.md states the same number). Large enough for
// a 100 MB runtime policy in one CreatePolicy call (Keylime's max_upload_size);
// IMA entries and listings are paged so ordinary messages stay far below it.
#ifndef CANDOR_LIB_RPC_LIMITS_H_
#define CANDOR_LIB_RPC_LIMITS_H_

namespace candor::rpc {

inline constexpr int kMaxMessageBytes = 128 * 1024 * 1024;  // 128 MiB

}  // namespace candor::rpc

#endif  // CANDOR_LIB_RPC_LIMITS_H_
