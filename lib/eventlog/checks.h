// File: lib/eventlog/checks.h
//
// Integrity checks of a parsed UEFI event log, as the verifier runs them on
// every boot log (DESIGN.md "One attestation cycle", step 3). Each returns
// every finding as a candor.v1.Failure (lib/failure/catalogue.h ids, context
// keys "event", "pcr", "type", "bank", "expected", "got"; digests in lower-case
// hex), an empty vector when the log passes. At most kMaxFailuresPerCheck
// findings are listed per check; one more failure then says how many were
// left out. Pure functions; thread-safe.
//
// - CheckSeparatorLookalikes (boot.separator_lookalike): an event whose digest
//   in some bank equals H(00000000) or H(FFFFFFFF), the separator digests,
//   but whose type is not EV_SEPARATOR. The event type is not measured, so a
//   retyped separator could hide where the pre-OS phase ended (go-tpm-tools
//   rejects the same; peers.md §4.2).
// - CheckEventDigests (boot.digest_mismatch): for the types whose digest is
//   H(event data) -- EV_S_CRTM_VERSION, EV_SEPARATOR, EV_EFI_VARIABLE_DRIVER_
//   CONFIG, EV_EFI_VARIABLE_AUTHORITY, EV_EFI_GPT_EVENT, EV_EFI_ACTION -- and
//   EV_EFI_VARIABLE_BOOT, whose digest is H(VariableData) only, each digest
//   must be that hash: only then is the decoded data (Secure Boot variables,
//   keys) what was measured.
// - CheckReplayAgainstQuote (boot.pcr_mismatch, pcr.missing): the replayed
//   PCRs must equal the quoted ones, for each bank both have, PCRs 0-7 and
//   those of 8-9 the log measures (options below). A PCR the log never
//   names must hold its reset value.
#ifndef CANDOR_LIB_EVENTLOG_CHECKS_H_
#define CANDOR_LIB_EVENTLOG_CHECKS_H_

#include <cstdint>
#include <vector>

#include "candor/v1/common.pb.h"
#include "lib/eventlog/event_log.h"
#include "lib/tpm/pcr_values.h"

namespace candor::eventlog {

inline constexpr size_t kMaxFailuresPerCheck = 100;

// True for the event types CheckEventDigests checks.
bool DigestCoversData(uint32_t type);

std::vector<candor::v1::Failure> CheckSeparatorLookalikes(const EventLog& log);

std::vector<candor::v1::Failure> CheckEventDigests(const EventLog& log);

struct QuoteCheckOptions {
  // Compared always; pcr.missing when the quote lacks one.
  std::vector<uint32_t> required_pcrs = {0, 1, 2, 3, 4, 5, 6, 7};
  // Compared when the log extends them; pcr.missing when the quote lacks
  // one. Add 14 to have MokList events (shim) checked too.
  std::vector<uint32_t> pcrs_if_measured = {8, 9};
};

// `replayed` is Replay(log); `quoted` the PCR values the quote covers. Banks
// of `quoted` the log lacks are not compared; when no quoted bank is in the
// log, that is one boot.pcr_mismatch.
std::vector<candor::v1::Failure> CheckReplayAgainstQuote(
    const EventLog& log, const tpm::PcrValues& replayed,
    const tpm::PcrValues& quoted, const QuoteCheckOptions& options = {});

// All three checks, replaying once.
std::vector<candor::v1::Failure> CheckEventLog(
    const EventLog& log, const tpm::PcrValues& quoted,
    const QuoteCheckOptions& options = {});

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_CHECKS_H_
