#include "services/verifier/admin/agent_validation.h"


#include <algorithm>
#include <cstdint>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/convert/pcr_convert.h"
#include "lib/identity/agent_id.h"
#include "lib/policy/pcr/pcr_policy.h"
#include "lib/rpc/host_port.h"
#include "lib/tpm/pcr_values.h"

namespace candor::verifier {
namespace {

// google.protobuf.Duration's documented range.
constexpr int64_t kMaxDurationSeconds = 315576000000;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// Quotes text from a request for a message: escaped, cut at 64 bytes.
std::string Quoted(absl::string_view s) {
  return absl::StrCat("\"", absl::CHexEscape(s.substr(0, 64)),
                      s.size() > 64 ? "...\"" : "\"");
}

// Unicode code points of valid UTF-8 (protobuf checks proto3 strings).
size_t CodePoints(absl::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

}  // namespace

bool IsUpdatablePath(absl::string_view path) {
  return std::find(std::begin(kUpdatablePaths), std::end(kUpdatablePaths),
                   path) != std::end(kUpdatablePaths);
}

absl::Status CheckAgentId(absl::string_view field, absl::string_view id) {
  absl::Status s = identity::ValidateAgentId(id);
  if (!s.ok()) return Invalid(field, s.message());
  return absl::OkStatus();
}

absl::Status CheckAddress(absl::string_view field, absl::string_view address) {
  absl::Status s = rpc::CheckHostPort(address);
  if (!s.ok()) return Invalid(field, s.message());
  return absl::OkStatus();
}

absl::Status CheckVShare(absl::string_view field, absl::string_view v_share) {
  if (v_share.empty() || v_share.size() == kVShareBytes) {
    return absl::OkStatus();
  }
  return Invalid(
      field, absl::StrCat("is ", v_share.size(), " bytes; a V ", "share is ",
                          kVShareBytes, " bytes (or empty for none)"));
}

absl::Status CheckQuoteInterval(absl::string_view field,
                                const google::protobuf::Duration& interval,
                                absl::Duration minimum) {
  const int64_t s = interval.seconds();
  const int32_t n = interval.nanos();
  if (s < -kMaxDurationSeconds || s > kMaxDurationSeconds || n <= -1000000000 ||
      n >= 1000000000 || (s > 0 && n < 0) || (s < 0 && n > 0)) {
    return Invalid(field, "is not a valid google.protobuf.Duration");
  }
  if (s == 0 && n == 0) return absl::OkStatus();  // the default
  const absl::Duration d = absl::Seconds(s) + absl::Nanoseconds(n);
  if (d < absl::ZeroDuration()) {
    return Invalid(field,
                   absl::StrCat("is negative (", absl::FormatDuration(d), ")"));
  }
  if (d < minimum) {
    return Invalid(field, absl::StrCat("is ", absl::FormatDuration(d),
                                       ", below the verifier's minimum of ",
                                       absl::FormatDuration(minimum)));
  }
  return absl::OkStatus();
}

absl::Status CheckPcrSelections(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::PcrSelection>& selections) {
  std::set<v1::HashAlgorithm> seen;
  for (int i = 0; i < selections.size(); ++i) {
    const v1::PcrSelection& sel = selections[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    absl::StatusOr<TPM2_ALG_ID> bank = convert::BankFromProto(sel.bank());
    if (!bank.ok())
      return Invalid(absl::StrCat(at, ".bank"), bank.status().message());
    if (!seen.insert(sel.bank()).second) {
      return Invalid(
          absl::StrCat(at, ".bank"),
          absl::StrCat("bank ", tpm::BankName(*bank), " is listed twice"));
    }
    for (int j = 0; j < sel.pcrs_size(); ++j) {
      const std::string pcr = absl::StrCat(at, ".pcrs[", j, "]");
      if (sel.pcrs(j) > 23) {
        return Invalid(pcr, absl::StrCat("PCR ", sel.pcrs(j),
                                         " is not a PCR index (0-23)"));
      }
      if (j > 0 && sel.pcrs(j) <= sel.pcrs(j - 1)) {
        return Invalid(
            pcr, absl::StrCat("PCR ", sel.pcrs(j), " follows ", sel.pcrs(j - 1),
                              ": PCRs must be strictly ascending"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckStaticPcrPolicy(absl::string_view field,
                                  const v1::StaticPcrPolicy& policy) {
  absl::StatusOr<policy::PcrPolicy> parsed =
      policy::PcrPolicy::FromProto(policy);
  if (parsed.ok()) return absl::OkStatus();
  absl::string_view why = parsed.status().message();
  // "PCR policy: banks[0].pcrs[10]: why" -> "<field>.banks[0].pcrs[10]: why"
  if (absl::ConsumePrefix(&why, "PCR policy: ")) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".", why));
  }
  return Invalid(field, why);
}

absl::Status CheckMetadata(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& metadata) {
  if (metadata.size() > kMaxMetadataEntries) {
    return Invalid(field,
                   absl::StrCat("has ", metadata.size(), " entries, at most ",
                                kMaxMetadataEntries, " are allowed"));
  }
  // Sorted, so the first bad key reported does not depend on hash order.
  std::set<std::string> keys;
  for (const auto& [key, value] : metadata) keys.insert(key);
  for (const std::string& key : keys) {
    const std::string at = absl::StrCat(field, "[", Quoted(key), "]");
    if (key.empty()) return Invalid(field, "a key is empty");
    if (CodePoints(key) > kMaxMetadataKeyChars) {
      return Invalid(
          at, absl::StrCat("key is ", CodePoints(key), " characters, at most ",
                           kMaxMetadataKeyChars));
    }
    const std::string& value = metadata.at(key);
    if (CodePoints(value) > kMaxMetadataValueChars) {
      return Invalid(
          at, absl::StrCat("value is ", CodePoints(value),
                           " characters, at most ", kMaxMetadataValueChars));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOutputOnlyUnset(const v1::Agent& a) {
  const char* set = nullptr;
  if (a.state() != v1::OPERATIONAL_STATE_UNSPECIFIED)
    set = "state";
  else if (a.severity_level() != v1::SEVERITY_UNSPECIFIED)
    set = "severity_level";
  else if (a.has_last_failure())
    set = "last_failure";
  else if (a.attestation_count() != 0)
    set = "attestation_count";
  else if (a.has_last_attestation())
    set = "last_attestation";
  else if (a.has_last_successful_attestation())
    set = "last_successful_attestation";
  else if (a.runtime_policy_version_in_use() != 0)
    set = "runtime_policy_version_in_use";
  else if (a.boot_policy_version_in_use() != 0)
    set = "boot_policy_version_in_use";
  else if (!a.owner_replica_id().empty())
    set = "owner_replica_id";
  else if (!a.boot_id().empty())
    set = "boot_id";
  else if (a.next_ima_entry() != 0)
    set = "next_ima_entry";
  else if (a.has_added_at())
    set = "added_at";
  else if (a.has_v_share_delivered_at())
    set = "v_share_delivered_at";
  if (set == nullptr) return absl::OkStatus();
  return Invalid(absl::StrCat("agent.", set), "output only, must be unset");
}

absl::Status CheckConfigField(const v1::Agent& agent, absl::string_view path,
                              absl::Duration min_quote_interval,
                              bool address_may_be_empty) {
  const std::string field = absl::StrCat("agent.", path);
  if (path == "address") {
    if (agent.address().empty()) {
      if (address_may_be_empty) return absl::OkStatus();
      return Invalid(field, "is empty; give the agent's \"host:port\"");
    }
    return CheckAddress(field, agent.address());
  }
  if (path == "quote_interval") {
    return CheckQuoteInterval(field, agent.quote_interval(),
                              min_quote_interval);
  }
  if (path == "runtime_policy" || path == "boot_policy") {
    const v1::PolicyRef& ref =
        path == "runtime_policy" ? agent.runtime_policy() : agent.boot_policy();
    if (ref.name().empty()) {
      if (ref.version() != 0) {
        return Invalid(absl::StrCat(field, ".version"),
                       "is set but the policy name is empty");
      }
      return absl::OkStatus();
    }
    absl::Status s = ValidatePolicyName(ref.name());
    if (!s.ok()) return Invalid(absl::StrCat(field, ".name"), s.message());
    return absl::OkStatus();
  }
  if (path == "static_pcr_policy") {
    return CheckStaticPcrPolicy(field, agent.static_pcr_policy());
  }
  if (path == "pcr_selections") {
    return CheckPcrSelections(field, agent.pcr_selections());
  }
  if (path == "metadata") return CheckMetadata(field, agent.metadata());
  return Invalid(field, "is not a configuration field");
}

absl::Status CheckPolicyRef(PolicyStore& store, absl::string_view field,
                            const v1::PolicyRef& ref, v1::PolicyKind kind) {
  if (ref.name().empty()) return absl::OkStatus();
  absl::StatusOr<StoredPolicy> p =
      store.Get(ref.name(), ref.version(), /*include_content=*/false);
  if (!p.ok()) {
    return absl::Status(p.status().code(),
                        absl::StrCat(field, ": ", p.status().message()));
  }
  if (p->info.kind != kind) {
    return Invalid(
        field, absl::StrCat("policy ", Quoted(ref.name()), " is a ",
                            v1::PolicyKind_Name(p->info.kind),
                            " policy, expected ", v1::PolicyKind_Name(kind)));
  }
  return absl::OkStatus();
}

v1::HashAlgorithm ImaBank(
    const google::protobuf::RepeatedPtrField<v1::PcrSelection>& selections) {
  if (selections.empty()) return v1::HASH_ALGORITHM_SHA256;
  return selections[0].bank();
}

}  // namespace candor::verifier
