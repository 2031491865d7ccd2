#include "lib/identity/agent_id.h"

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"

namespace candor::identity {
namespace {

constexpr size_t kMaxLength = 64;

bool Allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

}  // namespace

std::string EkHash(absl::string_view ek_public) {
  return absl::BytesToHexString(crypto::Sha256(ek_public));
}

absl::Status ValidateAgentId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("agent id is empty");
  if (id.size() > kMaxLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agent id is ", id.size(), " characters long; at most ", kMaxLength));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (!Allowed(id[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "agent id '", absl::CHexEscape(id), "' has a character outside "
          "a-z 0-9 . - at position ", i));
    }
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(id.front())) ||
      !absl::ascii_isalnum(static_cast<unsigned char>(id.back()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agent id '", id, "' must start and end with a letter or digit"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeAgentId(absl::string_view id) {
  std::string lower = absl::AsciiStrToLower(id);
  absl::Status s = ValidateAgentId(lower);
  if (!s.ok()) return s;
  return lower;
}

bool LooksLikeEkHash(absl::string_view id) {
  if (id.size() != 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace candor::identity
