// File: lib/policy/runtime/policy_json.h  (private to :runtime_policy)
//
// The JSON reader of RuntimePolicy (simdjson DOM, policy_json.cc), and the
// parser of the "verification-keys" string (verification_keys.cc). See
// runtime_policy.h for the format and the errors.
#ifndef CANDOR_LIB_POLICY_RUNTIME_POLICY_JSON_H_
#define CANDOR_LIB_POLICY_RUNTIME_POLICY_JSON_H_

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/ima/keyring.h"
#include "lib/policy/runtime/runtime_policy.h"

namespace candor::policy {

class RuntimePolicyLoader {
 public:
  // Fills `*policy` from `json`; INVALID_ARGUMENT naming the field.
  static absl::Status LoadJson(absl::string_view json, RuntimePolicy* policy);
};

// Helpers shared by the JSON readers.
namespace json_util {
absl::string_view View(std::string_view s);
// "<where>: must be <want>, not <type of e>".
absl::Status TypeError(absl::string_view where, absl::string_view want,
                       const simdjson::dom::element& e);
absl::Status StringArray(const simdjson::dom::element& v,
                         absl::string_view field,
                         std::vector<std::string>* out);
}  // namespace json_util

// "" -> no keys; Keylime's ImaKeyring JSON (possibly JSON-encoded twice);
// or PEM text. INVALID_ARGUMENT prefixed "verification-keys".
absl::StatusOr<ima::Keyring> ParseVerificationKeys(absl::string_view text);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_POLICY_JSON_H_
