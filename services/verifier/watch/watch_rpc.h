// File: services/verifier/watch/watch_rpc.h
//
// VerifierService.WatchAttestations (verifier.proto; README "Events and
// cursors"): validates the request, subscribes to the EventHub FIRST, then
// sends the backlog from the store (after the resume point, up to the
// subscription's start position) and then the live events of the
// subscription, skipping any position already sent — so nothing is lost or
// repeated at the hand-over. Heartbeats every `heartbeat` while idle carry
// the scan position. Ends with UNAVAILABLE when the hub stops,
// RESOURCE_EXHAUSTED for a slow reader, CANCELLED when the client goes away.
// Thread-safe: one call per stream, many streams at once.
#ifndef CANDOR_SERVICES_VERIFIER_WATCH_WATCH_RPC_H_
#define CANDOR_SERVICES_VERIFIER_WATCH_WATCH_RPC_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.pb.h"
#include "services/verifier/store/agent_store.h"
#include "services/verifier/watch/event_hub.h"

namespace candor::verifier {

// INVALID_ARGUMENT naming the field for an UNSPECIFIED kind or state.
absl::Status ValidateWatchFilter(const v1::WatchFilter& filter);
// True when `event` passes `filter` (fields AND, list values OR).
bool MatchesWatchFilter(const v1::WatchFilter& filter,
                        const v1::AttestationEvent& event);

class WatchRpc {
 public:
  struct Options {
    absl::Duration heartbeat = absl::Seconds(10);
    uint32_t backlog_page = 1000;
    size_t max_queue = 10000;
    // Called when a stream opens (+1) and closes (-1), e.g. for metrics.
    std::function<void(int)> on_subscriber = nullptr;
  };
  WatchRpc(AgentStore* store, EventHub* hub, Options options)
      : store_(store), hub_(hub), options_(std::move(options)) {}

  grpc::Status Serve(grpc::ServerContext* context,
                     const v1::WatchAttestationsRequest* request,
                     grpc::ServerWriter<v1::WatchAttestationsResponse>* writer);

 private:
  absl::Status Stream(
      grpc::ServerContext* context, const v1::WatchAttestationsRequest& request,
      grpc::ServerWriter<v1::WatchAttestationsResponse>* writer);

  AgentStore* const store_;
  EventHub* const hub_;
  const Options options_;
};

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_WATCH_WATCH_RPC_H_
