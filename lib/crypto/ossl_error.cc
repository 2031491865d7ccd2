#include "lib/crypto/ossl_error.h"

#include <openssl/err.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace candor::crypto {

std::string DrainSslErrors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  unsigned long e;  // NOLINT(runtime/int): OpenSSL's type
  while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) !=
         0) {
    if (!out.empty()) absl::StrAppend(&out, "; ");
    const char* lib = ERR_lib_error_string(e);
    const char* reason = ERR_reason_error_string(e);
    if (lib != nullptr && reason != nullptr) {
      absl::StrAppend(&out, lib, ":", reason);
    } else {
      char buf[256];
      ERR_error_string_n(e, buf, sizeof(buf));
      absl::StrAppend(&out, buf);
    }
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      absl::StrAppend(&out, " (", data, ")");
    }
  }
  return out;
}

absl::Status SslError(absl::StatusCode code, absl::string_view call) {
  std::string errors = DrainSslErrors();
  if (errors.empty()) errors = "failed (no OpenSSL error reported)";
  if (code == absl::StatusCode::kOk) code = absl::StatusCode::kInternal;
  return absl::Status(code, absl::StrCat(call, ": ", errors));
}

}  // namespace candor::crypto
