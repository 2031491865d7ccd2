// File: lib/policy/pcr/pcr_policy.h
//
// The static PCR policy (Keylime's tpm_policy; verifier.proto
// StaticPcrPolicy): for PCRs no other check covers (e.g. 11-15, 17-23), the
// values each may hold, per bank. JSON, Keylime-compatible:
//
//   {"bank": "sha256",                        optional, default "sha256"
//    "15": ["<hex>", ...],                    PCR -> allowed values
//    "mask": "0x8000"}                        Keylime's mask: ignored
//
// and, for several banks, objects keyed by bank name:
//
//   {"sha1": {"15": ["<hex>"]}, "sha256": {"15": ["<hex>"], "23": [...]}}
//
// Values are hex of the bank's digest size, either case, "0x" optional.
// PCR keys are decimal 0-23; PCR 10 (IMA replay) and 16 (transport key) are
// refused, as their own checks cover them; an empty list is refused (nothing
// could pass). Parse errors are INVALID_ARGUMENT naming the key and index.
//
// Evaluate reports, for every policy PCR: pcr.missing when the quote lacks
// it, pcr.policy_mismatch (context pcr, bank, got) when its value is not
// allowed. A PcrPolicy is immutable; Evaluate is thread-safe.
#ifndef CANDOR_LIB_POLICY_PCR_PCR_POLICY_H_
#define CANDOR_LIB_POLICY_PCR_PCR_POLICY_H_

#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "candor/v1/common.pb.h"
#include "candor/v1/verifier.pb.h"
#include "lib/tpm/pcr_values.h"

namespace candor::policy {

class PcrPolicy {
 public:
  // Bank -> PCR -> allowed raw values.
  using Allowed =
      std::map<TPM2_ALG_ID, std::map<uint32_t, std::set<std::string>>>;

  PcrPolicy() = default;  // empty: nothing checked

  static absl::StatusOr<PcrPolicy> Parse(absl::string_view json);
  // From/to the verifier's proto; the same validation as Parse.
  static absl::StatusOr<PcrPolicy> FromProto(
      const candor::v1::StaticPcrPolicy& proto);
  candor::v1::StaticPcrPolicy ToProto() const;
  // JSON in the several-banks form (lower-case hex), parseable by Parse.
  std::string ToJson() const;

  const Allowed& allowed() const { return allowed_; }
  bool empty() const { return allowed_.empty(); }
  // The banks and PCRs the quote must cover.
  tpm::PcrSelection Selection() const;

  // Every finding; empty when every policy PCR has an allowed value.
  std::vector<candor::v1::Failure> Evaluate(const tpm::PcrValues& quoted) const;

 private:
  explicit PcrPolicy(Allowed allowed) : allowed_(std::move(allowed)) {}
  Allowed allowed_;
};

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_PCR_PCR_POLICY_H_
