// File: lib/eventlog/event_decode.h
//
// Internal to lib/eventlog (used by EventLog::Parse): decodes the fixed
// layouts of an event's data that the parse insists on (see event_log.h) into
// Event::variable / image / blob / startup_locality. INVALID_ARGUMENT naming
// the event number and the byte offset (`data_offset` is where the event's
// data starts in the log) when the data is too short for its structure.
#ifndef CANDOR_LIB_EVENTLOG_EVENT_DECODE_H_
#define CANDOR_LIB_EVENTLOG_EVENT_DECODE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "lib/eventlog/event_log.h"

namespace candor::eventlog::internal {

absl::Status DecodeEventData(Event* event, uint64_t data_offset);

}  // namespace candor::eventlog::internal

#endif  // CANDOR_LIB_EVENTLOG_EVENT_DECODE_H_
