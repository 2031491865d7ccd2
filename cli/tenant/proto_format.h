// File: cli/tenant/proto_format.h
//
// How the tenant names proto enums, times and durations on the command line
// and in its output, and proto messages as JSON:
//   - states and event kinds print without their prefix ("ATTESTING",
//     "ATTESTATION_FAILED") and parse case-insensitively with or without it
//     ("attesting", "OPERATIONAL_STATE_ATTESTING"); '-' may stand for '_';
//   - severities print and parse as Keylime's lower-case labels ("critical");
//   - banks as "sha1", "sha256", "sha384", "sha512", "sm3_256";
//   - timestamps as RFC 3339 UTC to the second ("2026-11-25T13:20:01Z"), ""
//     when unset;
//   - ProtoJson: the proto3 JSON mapping with proto field names
//     ("agent_id") and enum names, default-valued scalars included.
// Parse errors are INVALID_ARGUMENT naming the value and listing the valid
// ones. Thread-safe (no state).
#ifndef CANDOR_CLI_TENANT_PROTO_FORMAT_H_
#define CANDOR_CLI_TENANT_PROTO_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "candor/v1/verifier.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {

std::string StateName(v1::OperationalState state);
absl::StatusOr<v1::OperationalState> ParseState(absl::string_view text);

std::string EventKindName(v1::EventKind kind);
absl::StatusOr<v1::EventKind> ParseEventKind(absl::string_view text);

// "" for UNSPECIFIED.
std::string SeverityLabel(v1::Severity severity);
absl::StatusOr<v1::Severity> ParseSeverity(absl::string_view text);

std::string BankName(v1::HashAlgorithm bank);
absl::StatusOr<v1::HashAlgorithm> ParseBank(absl::string_view text);
// Digest size in bytes of a bank (0 for UNSPECIFIED).
size_t BankDigestSize(v1::HashAlgorithm bank);

std::string PolicyKindName(v1::PolicyKind kind);  // "runtime", "boot"
absl::StatusOr<v1::PolicyKind> ParsePolicyKind(absl::string_view text);

std::string FormatTime(const google::protobuf::Timestamp& t);
std::string FormatDuration(const google::protobuf::Duration& d);  // "2s"

// The proto3 JSON form of `message` (see above).
nlohmann::json ProtoJson(const google::protobuf::Message& message);

}  // namespace candor::tenant

#endif  // CANDOR_CLI_TENANT_PROTO_FORMAT_H_
