// File: cli/tenant/commands/bootlog/log_input.h
//
// Reading a UEFI event log file for `tenant bootlog`: the binary log as the
// kernel exposes it (binary_bios_measurements) or the same bytes in base64
// (as Keylime's mb_log.b64 and REST APIs carry it). A file is taken as
// base64 when forced, or when every byte is a base64 character or white
// space and it starts as every log's base64 does ("AAAAAAMAAAAA": PCR 0,
// EV_NO_ACTION, zero digest). A binary log starts with four zero bytes,
// which base64 never contains, so the guess cannot mistake one for the other.
// Errors name the file: NOT_FOUND when it does not exist, INVALID_ARGUMENT
// for a file that is empty, too large, bad base64 or not a log (with the
// parser's event number and byte offset).
#ifndef CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_LOG_INPUT_H_
#define CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_LOG_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/eventlog/event_log.h"

namespace candor::tenant {

// True when `bytes` is non-empty and only base64 characters and white space.
bool LooksLikeBase64(absl::string_view bytes);

// The log's binary bytes.
absl::StatusOr<std::string> ReadEventLogBytes(const std::string& path,
                                              bool force_base64);

// ReadEventLogBytes, then EventLog::Parse.
absl::StatusOr<eventlog::EventLog> ReadEventLog(const std::string& path,
                                                bool force_base64);

// Bytes from a log as printable UTF-8 for tables and JSON: valid UTF-8 is
// kept except control characters; anything else becomes \xNN.
std::string Printable(absl::string_view bytes);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_LOG_INPUT_H_
