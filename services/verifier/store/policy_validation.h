// File: services/verifier/store/policy_validation.h
//
// What CreatePolicy/UpdatePolicy check about content before it reaches the
// PolicyStore (which stores bytes and does not parse them). verifier.proto
// CreatePolicy and protos/candor/v1/README.md "Limits": content over
// 104857600 bytes (100 MiB) and content that does not parse both answer
// INVALID_ARGUMENT; the parser's message (naming the JSON field and index,
// or the line) is kept.
//   - RUNTIME: lib/policy/runtime RuntimePolicy::Load (JSON or a legacy
//     allowlist).
//   - BOOT: lib/policy/boot BootPolicy::Parse.
// The parsed policy is discarded (the verifier's policy cache, not this
// function, keeps the one parsed copy per process). Thread-safe.
#ifndef CANDOR_SERVICES_VERIFIER_STORE_POLICY_VALIDATION_H_
#define CANDOR_SERVICES_VERIFIER_STORE_POLICY_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "candor/v1/verifier.pb.h"

namespace candor::verifier {

// 100 MiB, Keylime's max_upload_size (README "Limits").
inline constexpr size_t kMaxPolicyContentBytes = 104857600;

// OK, or INVALID_ARGUMENT: kind UNSPECIFIED (or unknown), content too large,
// or the parser's message (prefixed with "runtime policy: " / "boot policy: "
// when it does not say so already).
absl::Status ValidatePolicy(v1::PolicyKind kind, absl::string_view content);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_POLICY_VALIDATION_H_
