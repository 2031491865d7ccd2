#include "services/verifier/watch/watch_rpc.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "lib/status/grpc_status.h"
#include "lib/status/status_macros.h"

namespace candor::verifier {
namespace {

using google::protobuf::util::TimeUtil;

template <typename List, typename T>
bool AnyOf(const List& list, T value) {
  return list.empty() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

absl::Status ValidateWatchFilter(const v1::WatchFilter& filter) {
  for (int i = 0; i < filter.kinds_size(); ++i) {
    if (filter.kinds(i) == v1::EVENT_KIND_UNSPECIFIED ||
        !v1::EventKind_IsValid(filter.kinds(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.kinds[", i, "]: not a valid event kind"));
    }
  }
  for (int i = 0; i < filter.states_size(); ++i) {
    if (filter.states(i) == v1::OPERATIONAL_STATE_UNSPECIFIED ||
        !v1::OperationalState_IsValid(filter.states(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.states[", i, "]: not a valid state"));
    }
  }
  for (int i = 0; i < filter.agent_ids_size(); ++i) {
    if (filter.agent_ids(i).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.agent_ids[", i, "]: empty agent id"));
    }
  }
  return absl::OkStatus();
}

bool MatchesWatchFilter(const v1::WatchFilter& filter,
                        const v1::AttestationEvent& event) {
  if (!AnyOf(filter.agent_ids(), event.agent_id())) return false;
  if (!AnyOf(filter.kinds(), static_cast<int>(event.kind()))) return false;
  if (!AnyOf(filter.states(), static_cast<int>(event.state()))) return false;
  if (filter.min_severity() != v1::SEVERITY_UNSPECIFIED &&
      event.severity() < filter.min_severity()) {
    return false;
  }
  return true;
}

grpc::Status WatchRpc::Serve(
    grpc::ServerContext* context, const v1::WatchAttestationsRequest* request,
    grpc::ServerWriter<v1::WatchAttestationsResponse>* writer) {
  if (options_.on_subscriber) options_.on_subscriber(+1);
  absl::Status s = Stream(context, *request, writer);
  if (options_.on_subscriber) options_.on_subscriber(-1);
  return ToGrpcStatus(s);
}

absl::Status WatchRpc::Stream(
    grpc::ServerContext* context, const v1::WatchAttestationsRequest& request,
    grpc::ServerWriter<v1::WatchAttestationsResponse>* writer) {
  ABSL_RETURN_IF_ERROR(ValidateWatchFilter(request.filter()));
  if (request.start_case() == v1::WatchAttestationsRequest::kAfterCursor &&
      request.after_cursor().empty()) {
    return absl::InvalidArgumentError(
        "after_cursor: empty (omit it to start live)");
  }
  if (request.start_case() == v1::WatchAttestationsRequest::kFromOldest &&
      !request.from_oldest()) {
    return absl::InvalidArgumentError("from_oldest: must be true when set");
  }
  // Subscribe before reading the backlog: every event after the
  // subscription's start comes through it; the backlog covers the rest.
  std::unique_ptr<EventHub::Subscription> sub =
      hub_->Subscribe(options_.max_queue);
  const int64_t start = sub->start_position();
  int64_t last = start;
  if (request.start_case() != v1::WatchAttestationsRequest::START_NOT_SET) {
    ABSL_ASSIGN_OR_RETURN(int64_t trimmed, store_->TrimmedThrough());
    if (request.from_oldest()) {
      last = trimmed;
    } else {
      ABSL_ASSIGN_OR_RETURN(last, DecodeCursor(request.after_cursor()),
                            _ << "after_cursor");
      if (last < trimmed) {
        return absl::OutOfRangeError(absl::StrCat(
            "after_cursor: events after it were trimmed by retention (the "
            "oldest retained position is past it); resume with from_oldest "
            "and expect a gap"));
      }
      if (last > start) {
        ABSL_ASSIGN_OR_RETURN(int64_t latest, store_->LatestPosition());
        if (last > latest) {
          return absl::InvalidArgumentError(
              "after_cursor: ahead of the event stream (a cursor of another "
              "verifier database?)");
        }
      }
    }
  }
  absl::Time last_write = absl::Now();
  auto send_event = [&](const StoredEvent& e) -> absl::Status {
    last = e.position;
    if (!MatchesWatchFilter(request.filter(), e.event)) return absl::OkStatus();
    v1::WatchAttestationsResponse msg;
    *msg.mutable_event() = e.event;
    msg.mutable_event()->set_cursor(EncodeCursor(e.position));
    if (!writer->Write(msg)) {
      return absl::CancelledError("watch client went away");
    }
    last_write = absl::Now();
    return absl::OkStatus();
  };
  // Backlog: (last, start].
  while (last < start) {
    ABSL_ASSIGN_OR_RETURN(std::vector<StoredEvent> page,
                          store_->ReadEvents(last, options_.backlog_page));
    if (page.empty()) break;
    for (const StoredEvent& e : page) {
      if (e.position > start) break;
      ABSL_RETURN_IF_ERROR(send_event(e));
    }
    if (page.back().position >= start) break;
    if (context->IsCancelled()) return absl::CancelledError("client cancelled");
  }
  last = std::max(last, start);
  // Live.
  const absl::Duration tick = std::min(options_.heartbeat, absl::Seconds(1));
  while (!context->IsCancelled()) {
    absl::StatusOr<std::vector<StoredEvent>> batch = sub->Next(tick);
    if (!batch.ok()) return batch.status();
    for (const StoredEvent& e : *batch) {
      if (e.position <= last) continue;
      ABSL_RETURN_IF_ERROR(send_event(e));
    }
    if (absl::Now() - last_write >= options_.heartbeat) {
      v1::WatchAttestationsResponse msg;
      msg.mutable_heartbeat()->set_cursor(
          EncodeCursor(std::max(last, sub->scanned())));
      *msg.mutable_heartbeat()->mutable_time() =
          TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
      if (!writer->Write(msg)) {
        return absl::CancelledError("watch client went away");
      }
      last_write = absl::Now();
    }
  }
  return absl::CancelledError("watch client cancelled");
}

}  // namespace candor::verifier
