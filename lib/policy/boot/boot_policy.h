// File: lib/policy/boot/boot_policy.h
//
// A boot policy (verifier.proto POLICY_KIND_BOOT): what a machine's UEFI
// event log must show. Three kinds, as in Keylime's measured_boot_policy_name:
//   accept-all       every log passes (Keylime's default)
//   reject-all       no log passes: one boot.policy_reject_all failure
//   reference state  Keylime's "example" policy over a reference state
//                    (reference_state.h, evaluate.h)
// The document is JSON: {"policy": "accept-all"}, {"policy": "reject-all"},
// or a reference state object (which may say "policy": "example").
//
// Evaluate assumes the log was already checked against the quote
// (eventlog::CheckEventLog): the policy judges what the log says was booted,
// the replay proves it. A BootPolicy is immutable; Evaluate is thread-safe.
#ifndef CANDOR_LIB_POLICY_BOOT_BOOT_POLICY_H_
#define CANDOR_LIB_POLICY_BOOT_BOOT_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "lib/eventlog/event_log.h"
#include "lib/policy/boot/reference_state.h"

namespace candor::policy {

class BootPolicy {
 public:
  enum class Kind { kAcceptAll, kRejectAll, kReferenceState };

  static BootPolicy AcceptAll();
  static BootPolicy RejectAll();
  static BootPolicy FromReferenceState(ReferenceState state);
  // Parses a policy document (see the file comment). INVALID_ARGUMENT naming
  // the field on any error.
  static absl::StatusOr<BootPolicy> Parse(absl::string_view json);

  Kind kind() const { return kind_; }
  // "accept-all", "reject-all" or "reference-state".
  absl::string_view KindName() const;
  // The reference state, or nullptr for accept-all and reject-all.
  const ReferenceState* reference_state() const { return state_.get(); }

  // Every finding; empty when the log passes.
  std::vector<candor::v1::Failure> Evaluate(
      const eventlog::EventLog& log) const;

  // The PCRs whose events the policy reads: 0-9 and 14 for a reference state
  // (Keylime's example policy), none otherwise. The verifier should quote
  // them and check the log against the quote for each.
  std::vector<uint32_t> RelevantPcrs() const;

  // The policy document: what Parse accepts.
  std::string ToJson() const;

 private:
  BootPolicy(Kind kind, std::shared_ptr<const ReferenceState> state)
      : kind_(kind), state_(std::move(state)) {}

  Kind kind_;
  std::shared_ptr<const ReferenceState> state_;
};

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_BOOT_BOOT_POLICY_H_
