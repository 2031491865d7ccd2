#include "lib/tpm/tpm_marshal.h"

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace candor::tpm {
namespace {

template <typename T>
using MarshalFn = TSS2_RC (*)(const T*, uint8_t*, size_t, size_t*);
template <typename T>
using UnmarshalFn = TSS2_RC (*)(const uint8_t*, size_t, size_t*, T*);

template <typename T>
std::string Marshal(MarshalFn<T> fn, const T& v) {
  // Marshalled TPM structures are never larger than the C structs.
  auto buf = std::make_unique<uint8_t[]>(sizeof(T) + 8);
  size_t offset = 0;
  if (fn(&v, buf.get(), sizeof(T) + 8, &offset) != TSS2_RC_SUCCESS) return "";
  return std::string(reinterpret_cast<const char*>(buf.get()), offset);
}

template <typename T>
absl::StatusOr<T> Parse(UnmarshalFn<T> fn, absl::string_view bytes,
                        absl::string_view what) {
  T out = {};
  size_t offset = 0;
  TSS2_RC rc = fn(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                  &offset, &out);
  if (rc != TSS2_RC_SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " (", bytes.size(),
                     " bytes) does not parse: ", Tss2_RC_Decode(rc)));
  }
  if (offset != bytes.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ends at byte ", offset, " but ", bytes.size(),
                     " bytes were given (trailing data)"));
  }
  return out;
}

}  // namespace

std::string MarshalPrivate(const TPM2B_PRIVATE& v) {
  return Marshal<TPM2B_PRIVATE>(Tss2_MU_TPM2B_PRIVATE_Marshal, v);
}
absl::StatusOr<TPM2B_PRIVATE> ParsePrivate(absl::string_view bytes) {
  return Parse<TPM2B_PRIVATE>(Tss2_MU_TPM2B_PRIVATE_Unmarshal, bytes,
                              "TPM2B_PRIVATE");
}

std::string MarshalSignature(const TPMT_SIGNATURE& v) {
  return Marshal<TPMT_SIGNATURE>(Tss2_MU_TPMT_SIGNATURE_Marshal, v);
}
absl::StatusOr<TPMT_SIGNATURE> ParseSignature(absl::string_view bytes) {
  return Parse<TPMT_SIGNATURE>(Tss2_MU_TPMT_SIGNATURE_Unmarshal, bytes,
                               "TPMT_SIGNATURE");
}

std::string MarshalAttest(const TPMS_ATTEST& v) {
  return Marshal<TPMS_ATTEST>(Tss2_MU_TPMS_ATTEST_Marshal, v);
}
absl::StatusOr<TPMS_ATTEST> ParseAttest(absl::string_view bytes) {
  return Parse<TPMS_ATTEST>(Tss2_MU_TPMS_ATTEST_Unmarshal, bytes,
                            "TPMS_ATTEST");
}

std::string MarshalIdObject(const TPM2B_ID_OBJECT& v) {
  return Marshal<TPM2B_ID_OBJECT>(Tss2_MU_TPM2B_ID_OBJECT_Marshal, v);
}
absl::StatusOr<TPM2B_ID_OBJECT> ParseIdObject(absl::string_view bytes) {
  return Parse<TPM2B_ID_OBJECT>(Tss2_MU_TPM2B_ID_OBJECT_Unmarshal, bytes,
                                "TPM2B_ID_OBJECT");
}

std::string MarshalEncryptedSecret(const TPM2B_ENCRYPTED_SECRET& v) {
  return Marshal<TPM2B_ENCRYPTED_SECRET>(Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal,
                                         v);
}
absl::StatusOr<TPM2B_ENCRYPTED_SECRET> ParseEncryptedSecret(
    absl::string_view bytes) {
  return Parse<TPM2B_ENCRYPTED_SECRET>(Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal,
                                       bytes, "TPM2B_ENCRYPTED_SECRET");
}

}  // namespace candor::tpm
