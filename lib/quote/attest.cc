#include "lib/quote/attest.h"

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/failure/catalogue.h"
#include "lib/status/status_macros.h"

namespace candor::quote {
namespace {

const uint8_t* Bytes(absl::string_view s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

absl::Status Malformed(absl::string_view what, absl::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", detail));
}

// Unmarshals one field with a tss2-mu function, naming field and offset on
// failure.
template <typename T, typename Fn>
absl::Status Field(Fn unmarshal, absl::string_view bytes, size_t* offset,
                   absl::string_view name, T* out) {
  const size_t at = *offset;
  TSS2_RC rc = unmarshal(Bytes(bytes), bytes.size(), offset, out);
  if (rc != TSS2_RC_SUCCESS) {
    *offset = at;
    return Malformed(
        "TPMS_ATTEST",
        absl::StrCat(name, " at byte offset ", at, " does not unmarshal (",
                     bytes.size(), " bytes in all): ", Tss2_RC_Decode(rc)));
  }
  return absl::OkStatus();
}

std::string View(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace

absl::StatusOr<QuoteAttest> ParseQuoteAttest(absl::string_view attest) {
  if (attest.empty()) {
    return Malformed("TPMS_ATTEST", "the quote is absent (0 bytes)");
  }
  size_t offset = 0;
  uint32_t magic = 0;
  uint16_t type = 0;
  // Magic and type first: they decide between malformed and wrong_type
  // whatever follows them.
  ABSL_RETURN_IF_ERROR(
      Field(Tss2_MU_UINT32_Unmarshal, attest, &offset, "magic", &magic));
  if (magic != TPM2_GENERATED_VALUE) {
    return Malformed("TPMS_ATTEST",
                     absl::StrFormat("magic is 0x%08x, not TPM_GENERATED_VALUE "
                                     "0xff544347: not produced by a TPM",
                                     magic));
  }
  ABSL_RETURN_IF_ERROR(
      Field(Tss2_MU_UINT16_Unmarshal, attest, &offset, "type", &type));
  if (type != TPM2_ST_ATTEST_QUOTE) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "TPMS_ATTEST: type is 0x%04x, not TPM_ST_ATTEST_QUOTE 0x8018: the "
        "structure is not a quote",
        type));
  }
  TPM2B_NAME signer = {};
  TPM2B_DATA extra = {};
  TPMS_CLOCK_INFO clock = {};
  uint64_t firmware = 0;
  TPML_PCR_SELECTION select = {};
  TPM2B_DIGEST digest = {};
  ABSL_RETURN_IF_ERROR(Field(Tss2_MU_TPM2B_NAME_Unmarshal, attest, &offset,
                             "qualifiedSigner", &signer));
  ABSL_RETURN_IF_ERROR(Field(Tss2_MU_TPM2B_DATA_Unmarshal, attest, &offset,
                             "extraData", &extra));
  ABSL_RETURN_IF_ERROR(Field(Tss2_MU_TPMS_CLOCK_INFO_Unmarshal, attest, &offset,
                             "clockInfo", &clock));
  ABSL_RETURN_IF_ERROR(Field(Tss2_MU_UINT64_Unmarshal, attest, &offset,
                             "firmwareVersion", &firmware));
  ABSL_RETURN_IF_ERROR(Field(Tss2_MU_TPML_PCR_SELECTION_Unmarshal, attest,
                             &offset, "attested.quote.pcrSelect", &select));
  ABSL_RETURN_IF_ERROR(Field(Tss2_MU_TPM2B_DIGEST_Unmarshal, attest, &offset,
                             "attested.quote.pcrDigest", &digest));
  if (offset != attest.size()) {
    return Malformed("TPMS_ATTEST",
                     absl::StrCat(attest.size() - offset,
                                  " trailing bytes after the quote, from byte "
                                  "offset ",
                                  offset));
  }
  if (clock.safe > 1) {
    return Malformed("TPMS_ATTEST",
                     absl::StrCat("clockInfo.safe is ", clock.safe,
                                  ", not YES (1) or NO (0)"));
  }
  for (uint32_t i = 0; i < select.count; ++i) {
    if (!tpm::BankDigestSize(select.pcrSelections[i].hash).ok()) {
      return absl::UnimplementedError(absl::StrFormat(
          "TPMS_ATTEST: pcrSelect[%d] names PCR bank 0x%04x, which is not a "
          "supported hash (sha1, sha256, sha384, sha512, sm3_256)",
          i, select.pcrSelections[i].hash));
    }
  }
  absl::StatusOr<tpm::PcrSelection> selection = tpm::SelectionFromTpml(select);
  if (!selection.ok()) {
    return Malformed("TPMS_ATTEST", absl::StrCat("attested.quote.pcrSelect: ",
                                                 selection.status().message()));
  }
  QuoteAttest out;
  out.qualified_signer = View(signer.name, signer.size);
  out.extra_data = View(extra.buffer, extra.size);
  out.clock_info = {clock.clock, clock.resetCount, clock.restartCount,
                    clock.safe == 1};
  out.firmware_version = firmware;
  out.pcr_selection = *std::move(selection);
  out.pcr_digest = View(digest.buffer, digest.size);
  return out;
}

absl::StatusOr<TPMT_SIGNATURE> ParseSignature(absl::string_view signature) {
  if (signature.size() < 2) {
    return Malformed("TPMT_SIGNATURE",
                     absl::StrCat("truncated: ", signature.size(),
                                  " bytes, no sigAlg (the signature is absent "
                                  "or cut short)"));
  }
  const uint16_t alg =
      (uint16_t{Bytes(signature)[0]} << 8) | Bytes(signature)[1];
  switch (alg) {
    case TPM2_ALG_RSASSA:
    case TPM2_ALG_RSAPSS:
    case TPM2_ALG_ECDSA:
    case TPM2_ALG_ECDAA:
    case TPM2_ALG_SM2:
    case TPM2_ALG_ECSCHNORR:
    case TPM2_ALG_HMAC:
    case TPM2_ALG_NULL:
      break;
    default:
      return Malformed(
          "TPMT_SIGNATURE",
          absl::StrFormat("sigAlg 0x%04x is not a signature scheme", alg));
  }
  TPMT_SIGNATURE out = {};
  size_t offset = 0;
  TSS2_RC rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(
      Bytes(signature), signature.size(), &offset, &out);
  if (rc != TSS2_RC_SUCCESS) {
    return Malformed("TPMT_SIGNATURE",
                     absl::StrCat("does not unmarshal (", signature.size(),
                                  " bytes): ", Tss2_RC_Decode(rc)));
  }
  if (offset != signature.size()) {
    return Malformed("TPMT_SIGNATURE",
                     absl::StrCat(signature.size() - offset,
                                  " trailing bytes after the signature, from "
                                  "byte offset ",
                                  offset));
  }
  return out;
}

absl::string_view QuoteFailureId(const absl::Status& parse_error) {
  switch (parse_error.code()) {
    case absl::StatusCode::kFailedPrecondition:
      return failure::kQuoteWrongType;
    case absl::StatusCode::kUnimplemented:
      return failure::kQuoteUnsupportedAlgorithm;
    default:
      return failure::kQuoteMalformed;
  }
}

}  // namespace candor::quote
