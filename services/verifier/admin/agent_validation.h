// File: services/verifier/admin/agent_validation.h
//
// Checks of the agent configuration an operator sends in AddAgent and
// UpdateAgent (verifier.proto Agent, AddAgentRequest, UpdateAgentRequest).
// Every error is INVALID_ARGUMENT and names the field as the request spells
// it ("agent.pcr_selections[1].pcrs[2]: ...", "update_mask.paths[0]: ..."),
// except CheckPolicyRef, which also answers NOT_FOUND (the policy or version
// does not exist) and passes the store's UNAVAILABLE/INTERNAL through. No
// message ever contains the V share. Stateless and thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_ADMIN_AGENT_VALIDATION_H_
#define CANDOR_SERVICES_VERIFIER_ADMIN_AGENT_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.pb.h"
#include "google/protobuf/repeated_field.h"
#include "services/verifier/store/policy_store.h"

namespace candor::verifier {

// The configuration fields (and FieldMask paths) UpdateAgent may change,
// verifier.proto UpdateAgentRequest.update_mask.
inline constexpr absl::string_view kUpdatablePaths[] = {
    "address",           "quote_interval", "runtime_policy", "boot_policy",
    "static_pcr_policy", "pcr_selections", "metadata"};
bool IsUpdatablePath(absl::string_view path);

// verifier.proto Agent.metadata limits.
inline constexpr size_t kMaxMetadataEntries = 64;
inline constexpr size_t kMaxMetadataKeyChars = 63;
inline constexpr size_t kMaxMetadataValueChars = 1024;
// V shares are 32 bytes (K ⊕ U); empty = none.
inline constexpr size_t kVShareBytes = 32;

// Syntax of lib/identity ValidateAgentId, the message prefixed with `field`.
absl::Status CheckAgentId(absl::string_view field, absl::string_view id);

// "host:port": host a DNS name, an IPv4 address or a bracketed IPv6
// address, port 1-65535.
absl::Status CheckAddress(absl::string_view field, absl::string_view address);

// Empty, or exactly 32 bytes. The message gives only the size.
absl::Status CheckVShare(absl::string_view field, absl::string_view v_share);

// Unset/zero (the default) or a valid Duration at least `minimum`.
absl::Status CheckQuoteInterval(absl::string_view field,
                                const google::protobuf::Duration& interval,
                                absl::Duration minimum);

// Each selection: a known bank, listed once; PCRs 0-23 strictly ascending.
absl::Status CheckPcrSelections(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::PcrSelection>& selections);

// lib/policy/pcr PcrPolicy::FromProto: known banks each once, no PCR 10 or
// 16, digests of the bank's size, no empty allowed list.
absl::Status CheckStaticPcrPolicy(absl::string_view field,
                                  const v1::StaticPcrPolicy& policy);

// At most 64 entries; keys 1-63 characters, values up to 1024 (Unicode code
// points).
absl::Status CheckMetadata(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& metadata);

// AddAgent: every output-only field of `agent` must be unset; the message
// names the first one set ("agent.state: output only, must be unset").
absl::Status CheckOutputOnlyUnset(const v1::Agent& agent);

// One configuration field of `agent` by its path (one of kUpdatablePaths),
// with the check above that fits it. Policy references are only checked for
// syntax here (CheckPolicyRef does the store lookup). `address_may_be_empty`:
// AddAgent (empty = the registered address); UpdateAgent refuses it.
absl::Status CheckConfigField(const v1::Agent& agent, absl::string_view path,
                              absl::Duration min_quote_interval,
                              bool address_may_be_empty);

// A policy reference: empty name (no policy; version must then be 0), or a
// valid name whose version (0 = latest) exists in `store` and has `kind`.
// NOT_FOUND when it does not exist, INVALID_ARGUMENT for a wrong kind.
absl::Status CheckPolicyRef(PolicyStore& store, absl::string_view field,
                            const v1::PolicyRef& ref, v1::PolicyKind kind);

// The bank whose PCR 10 the verifier replays IMA against: the first listed
// bank, SHA-256 when `selections` is empty. The attestation loop must use
// the same rule; changing it (UpdateAgent of pcr_selections) restarts IMA
// replay.
v1::HashAlgorithm ImaBank(
    const google::protobuf::RepeatedPtrField<v1::PcrSelection>& selections);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_ADMIN_AGENT_VALIDATION_H_
