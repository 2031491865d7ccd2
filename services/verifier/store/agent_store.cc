#include "services/verifier/store/agent_store.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace candor::verifier {
namespace {

constexpr char kCursorPrefix[] = "c1-";
constexpr char kTokenPrefix[] = "a1";
// 2^63 - 1 has 16 hex digits.
constexpr size_t kMaxCursorDigits = 16;

bool IsLowerHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// The filter as the token carries it: the distinct states, ascending.
std::string CanonicalStates(const std::vector<v1::OperationalState>& states) {
  std::vector<int> v;
  for (v1::OperationalState s : states) v.push_back(static_cast<int>(s));
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return absl::StrJoin(v, ",");
}

}  // namespace

std::string EncodeCursor(int64_t position) {
  if (position < 0) position = 0;
  return absl::StrCat(kCursorPrefix, absl::Hex(position));
}

absl::StatusOr<int64_t> DecodeCursor(absl::string_view cursor) {
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cursor: not a cursor issued by this verifier (", why, ")"));
  };
  if (!absl::StartsWith(cursor, kCursorPrefix)) return bad("unknown prefix");
  absl::string_view digits = cursor.substr(sizeof(kCursorPrefix) - 1);
  if (digits.empty() || digits.size() > kMaxCursorDigits) {
    return bad("bad length");
  }
  if (digits.size() > 1 && digits[0] == '0') return bad("leading zero");
  uint64_t value = 0;
  for (char c : digits) {
    if (!IsLowerHex(c)) return bad("not lower-case hex");
    value =
        value * 16 + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return bad("out of range");
  }
  return static_cast<int64_t>(value);
}

uint32_t EffectiveAgentPageSize(uint32_t page_size) {
  if (page_size == 0) return kDefaultAgentPageSize;
  return page_size > kMaxAgentPageSize ? kMaxAgentPageSize : page_size;
}

uint32_t EffectiveEventReadLimit(uint32_t limit) {
  if (limit == 0) return kDefaultEventReadLimit;
  return limit > kMaxEventReadLimit ? kMaxEventReadLimit : limit;
}

std::string EncodeAgentPageToken(
    const std::vector<v1::OperationalState>& states,
    absl::string_view last_id) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kTokenPrefix, ":", CanonicalStates(states), ":", last_id));
}

absl::StatusOr<std::string> DecodeAgentPageToken(
    const std::vector<v1::OperationalState>& states, absl::string_view token) {
  if (token.empty()) return std::string();
  std::string raw;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    parts = absl::StrSplit(raw, absl::MaxSplits(':', 2));
  }
  if (parts.size() != 3 || parts[0] != kTokenPrefix || parts[2].empty()) {
    return absl::InvalidArgumentError(
        "page_token: not a token issued by ListAgents");
  }
  const std::string want = CanonicalStates(states);
  if (parts[1] != want) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: issued for state filter [", parts[1],
                     "], used with state filter [", want, "]"));
  }
  return parts[2];
}

bool StatesContain(const std::vector<v1::OperationalState>& states,
                   v1::OperationalState state) {
  return states.empty() ||
         std::find(states.begin(), states.end(), state) != states.end();
}

void ApplyCycleStatus(const v1::Agent& status, v1::Agent& agent) {
  agent.set_state(status.state());
  agent.set_severity_level(status.severity_level());
  if (status.has_last_failure()) {
    *agent.mutable_last_failure() = status.last_failure();
  } else {
    agent.clear_last_failure();
  }
  agent.set_attestation_count(status.attestation_count());
  if (status.has_last_attestation()) {
    *agent.mutable_last_attestation() = status.last_attestation();
  } else {
    agent.clear_last_attestation();
  }
  if (status.has_last_successful_attestation()) {
    *agent.mutable_last_successful_attestation() =
        status.last_successful_attestation();
  } else {
    agent.clear_last_successful_attestation();
  }
  agent.set_runtime_policy_version_in_use(
      status.runtime_policy_version_in_use());
  agent.set_boot_policy_version_in_use(status.boot_policy_version_in_use());
  agent.set_boot_id(status.boot_id());
  agent.set_next_ima_entry(status.next_ima_entry());
  if (status.has_v_share_delivered_at()) {
    *agent.mutable_v_share_delivered_at() = status.v_share_delivered_at();
  } else {
    agent.clear_v_share_delivered_at();
  }
}

bool UsesPolicy(const v1::Agent& agent, absl::string_view name) {
  return agent.runtime_policy().name() == name ||
         agent.boot_policy().name() == name;
}

bool UsesPolicyVersion(const v1::Agent& agent, absl::string_view name,
                       uint32_t version, uint32_t latest_version) {
  for (const v1::PolicyRef* ref :
       {&agent.runtime_policy(), &agent.boot_policy()}) {
    if (ref->name() != name) continue;
    if (ref->version() == version ||
        (ref->version() == 0 && version == latest_version)) {
      return true;
    }
  }
  return false;
}

absl::Status ValidateStoredAgentId(absl::string_view agent_id) {
  if (agent_id.empty()) {
    return absl::InvalidArgumentError("agent_id: required, got empty");
  }
  return absl::OkStatus();
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

}  // namespace candor::verifier
