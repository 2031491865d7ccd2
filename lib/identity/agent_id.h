// File: lib/identity/agent_id.h
//
// Agent ids, as protos/candor/v1/README.md "Identity and key rules" fixes
// them: configured (a UUID, lowercased) or by default the lowercase hex
// SHA-256 of the EK's marshalled TPM2B_PUBLIC (with its size). Syntax: 1–64
// characters from a-z 0-9 . -, starting and ending with a letter or digit.
// The same hash names an EK in the registrar's allowlist.
#ifndef CANDOR_LIB_IDENTITY_AGENT_ID_H_
#define CANDOR_LIB_IDENTITY_AGENT_ID_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::identity {

// Lowercase hex SHA-256 of `ek_public` (marshalled TPM2B_PUBLIC with size).
std::string EkHash(absl::string_view ek_public);

// The default agent id for an EK: EkHash(ek_public).
inline std::string DefaultAgentId(absl::string_view ek_public) {
  return EkHash(ek_public);
}

// INVALID_ARGUMENT saying what is wrong with `id` (empty, too long, a
// character outside a-z 0-9 . -, or a leading/trailing '.' or '-').
absl::Status ValidateAgentId(absl::string_view id);

// Lowercases a configured id (UUIDs are often written in upper case) and
// validates it.
absl::StatusOr<std::string> NormalizeAgentId(absl::string_view id);

// True if `id` is 64 lowercase hex characters: then it must be the EK hash.
bool LooksLikeEkHash(absl::string_view id);

}  // namespace candor::identity

#endif  // CANDOR_LIB_IDENTITY_AGENT_ID_H_
