// File: cli/tenant/commands/bootlog/render.h
//
// How `tenant bootlog show` presents a parsed UEFI event log: each event as a
// JSON object (number, offset, PCR, type, digests per bank, decoded details)
// and as a one-line summary for the table; replayed PCRs as
// {"sha1": {"0": "<hex>", ...}, "sha256": {...}} (lower-case hex, no 0x).
// Every string taken from the log goes through Printable() (log_input.h), so
// the JSON is valid UTF-8 whatever the log holds. Pure functions.
#ifndef CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_RENDER_H_
#define CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_RENDER_H_

#include <string>

#include "lib/eventlog/event_log.h"
#include "lib/tpm/pcr_values.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {

// {"number", "offset", "pcr", "type", "type_value", "digests": {bank: hex},
//  "size", "details": {...}}.
nlohmann::json EventJson(const eventlog::Event& event);

// The decoded details alone (the "details" member above): for variables
// "variable" {"guid", "name", "size", plus "secure_boot", "signature_lists",
// "boot_order", "boot_option" or "text" by variable}, for images
// "image" {"location", "length", "device_path"}, firmware blobs "blob",
// StartupLocality "startup_locality", the SpecID "spec_id", GPT "gpt",
// handoff tables "tables", strings "text", anything else "data" (hex).
nlohmann::json EventDetails(const eventlog::Event& event);

// A short human description of the details, for the table.
std::string EventSummary(const eventlog::Event& event);

// Replayed PCR values: bank name -> PCR number (as a string) -> hex.
nlohmann::json PcrsJson(const tpm::PcrValues& pcrs);

// The SpecID as JSON.
nlohmann::json SpecIdJson(const eventlog::SpecId& spec);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_COMMANDS_BOOTLOG_RENDER_H_
