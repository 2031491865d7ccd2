// File: lib/failure/catalogue.h
//
// The failure-id registry: every id a Candor check may put in a
// candor.v1.Failure, with its default severity and meaning. It mirrors the
// catalogue table in protos/candor/v1/README.md row for row (catalogue_test
// fails when they differ), so code, docs and dashboards use one list.
//
// Code names ids through the constants below, never through string literals,
// and builds failures with MakeFailure(). The registry is immutable and all
// functions are thread-safe. Severities are Keylime's labels, ordered; the
// verifier's severity policy may rank an id differently from its default.
#ifndef CANDOR_LIB_FAILURE_CATALOGUE_H_
#define CANDOR_LIB_FAILURE_CATALOGUE_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "candor/v1/common.pb.h"

namespace candor::failure {

// One catalogue entry.
struct FailureKind {
  // "component.event", matching ^[a-z]+(\.[a-z_]+)+$.
  absl::string_view id;
  // Severity when no severity-policy rule matches the id.
  candor::v1::Severity default_severity;
  // One or two sentences for operators (the README's "meaning" column).
  absl::string_view meaning;
};

// Failure ids (README.md in protos/candor/v1 explains each).
inline constexpr absl::string_view kQuoteMalformed = "quote.malformed";
inline constexpr absl::string_view kQuoteWrongType = "quote.wrong_type";
inline constexpr absl::string_view kQuoteBadSignature = "quote.bad_signature";
inline constexpr absl::string_view kQuoteNonceMismatch = "quote.nonce_mismatch";
inline constexpr absl::string_view kQuotePcrSelectionMismatch =
    "quote.pcr_selection_mismatch";
inline constexpr absl::string_view kQuotePcrDigestMismatch =
    "quote.pcr_digest_mismatch";
inline constexpr absl::string_view kQuoteClockRegression =
    "quote.clock_regression";
inline constexpr absl::string_view kQuoteClockUnsafe = "quote.clock_unsafe";
inline constexpr absl::string_view kQuoteUnsupportedAlgorithm =
    "quote.unsupported_algorithm";

inline constexpr absl::string_view kPcrPolicyMismatch = "pcr.policy_mismatch";
inline constexpr absl::string_view kPcrMissing = "pcr.missing";
inline constexpr absl::string_view kPcrTransportKeyMismatch =
    "pcr.transport_key_mismatch";

inline constexpr absl::string_view kImaLogMalformed = "ima.log_malformed";
inline constexpr absl::string_view kImaUnsupportedTemplate =
    "ima.unsupported_template";
inline constexpr absl::string_view kImaTemplateHashMismatch =
    "ima.template_hash_mismatch";
inline constexpr absl::string_view kImaPcrMismatch = "ima.pcr_mismatch";
inline constexpr absl::string_view kImaNotInPolicy = "ima.not_in_policy";
inline constexpr absl::string_view kImaDigestMismatch = "ima.digest_mismatch";
inline constexpr absl::string_view kImaBadSignature = "ima.bad_signature";
inline constexpr absl::string_view kImaViolation = "ima.violation";
inline constexpr absl::string_view kImaBootAggregateMismatch =
    "ima.boot_aggregate_mismatch";
inline constexpr absl::string_view kImaInvalidEntryNumber =
    "ima.invalid_entry_number";
inline constexpr absl::string_view kImaKeyringNotAllowed =
    "ima.keyring_not_allowed";

inline constexpr absl::string_view kBootLogMissing = "boot.log_missing";
inline constexpr absl::string_view kBootLogMalformed = "boot.log_malformed";
inline constexpr absl::string_view kBootPcrMismatch = "boot.pcr_mismatch";
inline constexpr absl::string_view kBootSeparatorLookalike =
    "boot.separator_lookalike";
inline constexpr absl::string_view kBootDigestMismatch = "boot.digest_mismatch";
inline constexpr absl::string_view kBootPolicyRejectAll =
    "boot.policy_reject_all";
inline constexpr absl::string_view kBootScrtmMismatch = "boot.scrtm_mismatch";
inline constexpr absl::string_view kBootPkMismatch = "boot.pk_mismatch";
inline constexpr absl::string_view kBootKekMismatch = "boot.kek_mismatch";
inline constexpr absl::string_view kBootDbMismatch = "boot.db_mismatch";
inline constexpr absl::string_view kBootDbxMismatch = "boot.dbx_mismatch";
inline constexpr absl::string_view kBootMokMismatch = "boot.mok_mismatch";
inline constexpr absl::string_view kBootKernelNotAllowed =
    "boot.kernel_not_allowed";
inline constexpr absl::string_view kBootInitrdMismatch = "boot.initrd_mismatch";
inline constexpr absl::string_view kBootKernelCmdlineMismatch =
    "boot.kernel_cmdline_mismatch";
inline constexpr absl::string_view kBootSecurebootDisabled =
    "boot.secureboot_disabled";

inline constexpr absl::string_view kAgentUnreachable = "agent.unreachable";
inline constexpr absl::string_view kAgentInvalidResponse =
    "agent.invalid_response";
inline constexpr absl::string_view kAgentIdentityChanged =
    "agent.identity_changed";
inline constexpr absl::string_view kAgentRebooted = "agent.rebooted";
inline constexpr absl::string_view kAgentNotRegistered = "agent.not_registered";

inline constexpr absl::string_view kPolicyNotFound = "policy.not_found";
inline constexpr absl::string_view kPolicyInvalid = "policy.invalid";

inline constexpr absl::string_view kInternalError = "internal.error";

// Every entry, in README order (grouped by component). The span refers to
// static storage and is valid for the life of the program.
absl::Span<const FailureKind> Catalogue();

// The entry for `id`, or nullptr when `id` is not catalogued. A linear scan
// of about 50 entries: call it on failures, not per IMA line.
const FailureKind* Find(absl::string_view id);

// A Failure with `id`, `message`, `context` and the id's default severity.
// An id missing from the catalogue (a bug: use the constants above) is kept
// as given, with severity SEVERITY_UNSPECIFIED, rather than crashing the
// verifier or being dropped: it stays visible in events and metrics. The
// caller's severity policy may then overwrite the severity. Bytes of
// `message` and of context keys and values that are not well-formed UTF-8
// (file names from IMA logs may hold any byte) become "\xNN": proto3 string
// fields must be UTF-8, or the event would not parse at any watcher.
candor::v1::Failure MakeFailure(
    absl::string_view id, std::string message,
    std::initializer_list<std::pair<std::string, std::string>> context = {});

// The lower-case label of a severity ("info" ... "emergency"), as used in
// configuration and the README; "unspecified" for SEVERITY_UNSPECIFIED and
// for values outside the enum.
absl::string_view SeverityLabel(candor::v1::Severity severity);

// The severity named by `label` ("info" ... "emergency", ASCII
// case-insensitive). InvalidArgumentError for anything else, including
// "unspecified" (not a severity one can configure).
absl::StatusOr<candor::v1::Severity> ParseSeverity(absl::string_view label);

}  // namespace candor::failure

#endif  // CANDOR_LIB_FAILURE_CATALOGUE_H_
