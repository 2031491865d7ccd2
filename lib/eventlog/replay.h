// File: lib/eventlog/replay.h
//
// Replays a parsed UEFI event log into the PCR values the TPM should hold
// (TPM 2.0 Part 1 section 17; PFP 10.4.5.3 for PCR 0's start value). For
// each SpecID bank that OpenSSL can hash, every PCR named by an event after
// the SpecID event starts at zero, except PCR 0, whose last byte is the
// log's StartupLocality (4 after an H-CRTM event); each event other than
// EV_NO_ACTION extends its PCR with its digest for that bank:
// PCR = H(PCR || digest). Like tpm2_eventlog, a PCR that only EV_NO_ACTION
// events name is reported with its start value.
//
// Pure function of the log; thread-safe. Banks that cannot be hashed are
// left out of the result (SkippedBanks lists them).
#ifndef CANDOR_LIB_EVENTLOG_REPLAY_H_
#define CANDOR_LIB_EVENTLOG_REPLAY_H_

#include <vector>

#include "lib/eventlog/event_log.h"
#include "lib/tpm/pcr_values.h"

namespace candor::eventlog {

tpm::PcrValues Replay(const EventLog& log);

// SpecID banks Replay leaves out (no digest implementation for them).
std::vector<TPM2_ALG_ID> SkippedBanks(const EventLog& log);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_REPLAY_H_
