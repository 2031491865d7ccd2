// File: services/verifier/store/policy_store.h
//
// Where the verifier keeps named, versioned policies (DESIGN.md "State":
// policies are named and versioned; each version is content-addressed by its
// SHA-256 and its content is stored once however many names and versions use
// it). Implementations: PgPolicyStore (PostgreSQL, pg_policy_store.h) and
// InMemoryPolicyStore (a fake for tests, in_memory_policy_store.h); both pass
// policy_store_conformance.
//
// The store does not validate content (policy_validation.h does, before the
// service calls Create/Update) and does not count agents (agents_using is the
// service's). Every call is one transaction: it happens entirely or not at
// all. Errors (absl::Status codes, as VerifierService answers them):
//   - INVALID_ARGUMENT: a malformed name (ValidatePolicyName), kind
//     UNSPECIFIED in Create, expected_sha256 set and not the content's
//     SHA-256 (verifier.proto CreatePolicy), a malformed page token or one
//     issued for another kind filter.
//   - ALREADY_EXISTS: Create of a name that exists.
//   - NOT_FOUND: Update/Get/Delete of a name (or Get of a version) that does
//     not exist.
//   - UNAVAILABLE / ABORTED / INTERNAL from the database (PgPolicyStore).
// Versions of a name are 1, 2, 3, … and never reused while the name exists;
// Update with the latest version's content creates no version. Delete removes
// every version of the name and every content no longer referenced.
//
// Thread-safe (all implementations).
#ifndef CANDOR_SERVICES_VERIFIER_STORE_POLICY_STORE_H_
#define CANDOR_SERVICES_VERIFIER_STORE_POLICY_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "candor/v1/verifier.pb.h"

namespace candor::verifier {

// One version of a named policy (metadata; verifier.proto PolicyVersion
// without agents_using).
struct PolicyVersionInfo {
  std::string name;
  v1::PolicyKind kind = v1::POLICY_KIND_UNSPECIFIED;
  uint32_t version = 0;
  std::string sha256;  // 32 bytes raw
  uint64_t size_bytes = 0;
  absl::Time created_at;
};

// Get's answer: the metadata, and the content when asked for.
struct StoredPolicy {
  PolicyVersionInfo info;
  std::string content;  // empty unless include_content
};

// One page of List: the latest version of each policy, ordered by name
// (bytewise); next_page_token empty on the last page.
struct PolicyPage {
  std::vector<PolicyVersionInfo> policies;
  std::string next_page_token;
};

inline constexpr uint32_t kDefaultPolicyPageSize = 100;
inline constexpr uint32_t kMaxPolicyPageSize = 1000;

class PolicyStore {
 public:
  virtual ~PolicyStore() = default;

  // Stores `content` as version 1 of a new policy `name` of `kind`.
  // `expected_sha256` empty = not checked.
  virtual absl::StatusOr<PolicyVersionInfo> Create(
      absl::string_view name, v1::PolicyKind kind, absl::string_view content,
      absl::string_view expected_sha256) = 0;

  // Stores `content` as the next version of `name` (same kind), or returns
  // the latest version unchanged when its content is the same.
  virtual absl::StatusOr<PolicyVersionInfo> Update(
      absl::string_view name, absl::string_view content,
      absl::string_view expected_sha256) = 0;

  // Version `version` of `name` (0 = the latest), with its content when
  // `include_content`.
  virtual absl::StatusOr<StoredPolicy> Get(absl::string_view name,
                                           uint32_t version,
                                           bool include_content) = 0;

  // The policies of `kind` (UNSPECIFIED = all), a page at a time. page_size
  // 0 = 100, above 1000 = 1000. `page_token` empty = first page.
  virtual absl::StatusOr<PolicyPage> List(v1::PolicyKind kind,
                                          uint32_t page_size,
                                          absl::string_view page_token) = 0;

  // Removes `name` with all its versions, and contents nothing else uses.
  virtual absl::Status Delete(absl::string_view name) = 0;
};

// Helpers shared by the implementations (policy_store.cc).

// OK, or INVALID_ARGUMENT naming the problem: 1–128 characters from
// `A-Z a-z 0-9 . _ -` (verifier.proto PolicyVersion.name).
absl::Status ValidatePolicyName(absl::string_view name);

// INVALID_ARGUMENT unless kind is RUNTIME or BOOT.
absl::Status ValidatePolicyKind(v1::PolicyKind kind);

// OK when `expected` is empty or equals `actual`; INVALID_ARGUMENT (both in
// hex) otherwise, or when `expected` is not 32 bytes.
absl::Status CheckExpectedSha256(absl::string_view expected,
                                 absl::string_view actual);

// page_size 0 → 100, > 1000 → 1000.
uint32_t EffectivePolicyPageSize(uint32_t page_size);

// Opaque page tokens: the last name of a page, bound to the kind filter.
std::string EncodePolicyPageToken(v1::PolicyKind kind,
                                  absl::string_view last_name);
// The name to continue after ("" for an empty token). INVALID_ARGUMENT for a
// malformed token or one issued for another kind.
absl::StatusOr<std::string> DecodePolicyPageToken(v1::PolicyKind kind,
                                                  absl::string_view token);

}  // namespace candor::verifier

#endif  // CANDOR_SERVICES_VERIFIER_STORE_POLICY_STORE_H_
