#include "lib/tpm/nv.h"

#include <tss2/tss2_mu.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {
namespace {

constexpr uint32_t kDefaultNvBufferMax = 512;  // the spec's minimum for MAX_NV_BUFFER

uint32_t NvBufferMax(EsysContext& ctx) {
  TPMS_CAPABILITY_DATA* raw = nullptr;
  TSS2_RC rc = Esys_GetCapability(ctx.get(), ESYS_TR_NONE, ESYS_TR_NONE,
                                  ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
                                  TPM2_PT_NV_BUFFER_MAX, 1, nullptr, &raw);
  EsysPtr<TPMS_CAPABILITY_DATA> caps(raw);
  if (rc != TSS2_RC_SUCCESS || caps == nullptr ||
      caps->data.tpmProperties.count == 0 ||
      caps->data.tpmProperties.tpmProperty[0].property !=
          TPM2_PT_NV_BUFFER_MAX) {
    return kDefaultNvBufferMax;
  }
  return caps->data.tpmProperties.tpmProperty[0].value;
}

}  // namespace

absl::StatusOr<std::string> ReadNv(EsysContext& ctx, TPM2_HANDLE nv_index) {
  ABSL_ASSIGN_OR_RETURN(EsysHandle nv, HandleFromTpm(ctx, nv_index));
  TPM2B_NV_PUBLIC* pub_raw = nullptr;
  TSS2_RC rc = Esys_NV_ReadPublic(ctx.get(), nv.get(), ESYS_TR_NONE,
                                  ESYS_TR_NONE, ESYS_TR_NONE, &pub_raw,
                                  nullptr);
  EsysPtr<TPM2B_NV_PUBLIC> pub(pub_raw);
  if (rc != TSS2_RC_SUCCESS) {
    return TssError(absl::StrFormat("Esys_NV_ReadPublic(0x%08x)", nv_index),
                    rc);
  }
  const TPMA_NV attrs = pub->nvPublic.attributes;
  ESYS_TR auth = nv.get();  // the index's own (empty) authValue
  if ((attrs & TPMA_NV_AUTHREAD) == 0) {
    if ((attrs & TPMA_NV_OWNERREAD) == 0) {
      return absl::PermissionDeniedError(absl::StrFormat(
          "NV index 0x%08x is readable neither with its own auth nor by the "
          "owner (attributes 0x%08x)",
          nv_index, attrs));
    }
    auth = ESYS_TR_RH_OWNER;
  }
  const uint16_t size = pub->nvPublic.dataSize;
  const uint32_t chunk = NvBufferMax(ctx);
  std::string out;
  out.reserve(size);
  for (uint16_t offset = 0; offset < size;) {
    uint16_t n = static_cast<uint16_t>(
        std::min<uint32_t>(chunk, static_cast<uint32_t>(size - offset)));
    TPM2B_MAX_NV_BUFFER* data_raw = nullptr;
    rc = Esys_NV_Read(ctx.get(), auth, nv.get(), ESYS_TR_PASSWORD,
                      ESYS_TR_NONE, ESYS_TR_NONE, n, offset, &data_raw);
    EsysPtr<TPM2B_MAX_NV_BUFFER> data(data_raw);
    if (rc != TSS2_RC_SUCCESS) {
      return TssError(absl::StrFormat("Esys_NV_Read(0x%08x, offset %u, size %u)",
                                      nv_index, offset, n),
                      rc);
    }
    if (data->size == 0 || data->size > n) {
      return absl::InternalError(absl::StrFormat(
          "Esys_NV_Read(0x%08x) returned %u bytes for a %u-byte read",
          nv_index, data->size, n));
    }
    out.append(reinterpret_cast<const char*>(data->buffer), data->size);
    offset = static_cast<uint16_t>(offset + data->size);
  }
  return out;
}

absl::StatusOr<std::string> ReadEkCertificate(EsysContext& ctx, EkType type) {
  std::vector<TPM2_HANDLE> indices =
      type == EkType::kRsa
          ? std::vector<TPM2_HANDLE>{kEkCertNvIndexRsa}
          : std::vector<TPM2_HANDLE>{kEkCertNvIndexEccP256,
                                     kEkCertNvIndexEccP384};
  for (TPM2_HANDLE index : indices) {
    absl::StatusOr<std::string> cert = ReadNv(ctx, index);
    if (cert.ok() || cert.status().code() != absl::StatusCode::kNotFound) {
      return cert;
    }
  }
  std::string tried;
  for (TPM2_HANDLE index : indices) {
    absl::StrAppend(&tried, tried.empty() ? "" : ", ",
                    absl::StrFormat("0x%08x", index));
  }
  return absl::NotFoundError(absl::StrCat(
      "the TPM has no ", type == EkType::kRsa ? "RSA" : "ECC",
      " EK certificate in NV (tried ", tried, ")"));
}

absl::StatusOr<ObjectPublic> ReadPersistentPublic(EsysContext& ctx,
                                                  TPM2_HANDLE handle) {
  ABSL_ASSIGN_OR_RETURN(EsysHandle obj, HandleFromTpm(ctx, handle));
  TPM2B_PUBLIC* pub_raw = nullptr;
  TPM2B_NAME* name_raw = nullptr;
  TSS2_RC rc =
      Esys_ReadPublic(ctx.get(), obj.get(), ESYS_TR_NONE, ESYS_TR_NONE,
                      ESYS_TR_NONE, &pub_raw, &name_raw, nullptr);
  EsysPtr<TPM2B_PUBLIC> pub(pub_raw);
  EsysPtr<TPM2B_NAME> name(name_raw);
  if (rc != TSS2_RC_SUCCESS) {
    return TssError(absl::StrFormat("Esys_ReadPublic(0x%08x)", handle), rc);
  }
  uint8_t buf[sizeof(TPM2B_PUBLIC)];
  size_t off = 0;
  rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub.get(), buf, sizeof(buf), &off);
  if (rc != TSS2_RC_SUCCESS) {
    return TssError("Tss2_MU_TPM2B_PUBLIC_Marshal", rc);
  }
  return ObjectPublic{
      std::string(reinterpret_cast<const char*>(buf), off),
      std::string(reinterpret_cast<const char*>(name->name), name->size)};
}

}  // namespace candor::tpm
