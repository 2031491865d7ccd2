// EsysTpm::Quote: TPM2_Quote with the loaded AK, and the PCR values it covers
// (TPM 2.0 Part 3 §18.4). TPM2_Quote does not return PCR values and an extend
// may land between a PCR read and the quote (notes/tpm.md §3, "quote/PCR-read
// race"), so the values returned are only ever ones whose digest equals the
// quote's pcrDigest.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/esys_tpm.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/public_key.h"
#include "lib/tpm/tpm_marshal.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm {

absl::StatusOr<TpmQuote> EsysTpm::Quote(const PcrSelection& selection,
                                        absl::string_view nonce) {
  ABSL_RETURN_IF_ERROR(ValidateSelection(selection)) << "Quote";
  TPM2B_DATA qualifying = {};
  if (nonce.size() > sizeof(qualifying.buffer)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Quote: the nonce is ", nonce.size(), " bytes; at most ",
                     sizeof(qualifying.buffer)));
  }
  qualifying.size = static_cast<UINT16>(nonce.size());
  std::copy(nonce.begin(), nonce.end(), qualifying.buffer);
  if (ak_.get() == ESYS_TR_NONE) {
    return absl::FailedPreconditionError(
        "Quote: no AK is loaded (LoadAk first, and again after Startup)");
  }
  ABSL_ASSIGN_OR_RETURN(TPML_PCR_SELECTION tpml, SelectionToTpml(selection));
  absl::Status last;
  for (int attempt = 0; attempt < options_.quote_attempts; ++attempt) {
    bool moved = false;
    absl::StatusOr<TpmQuote> quote =
        QuoteOnce(selection, tpml, qualifying, &moved);
    if (quote.ok() || !moved) return quote;
    last = quote.status();
  }
  return absl::UnavailableError(absl::StrCat(
      "Quote: the PCRs changed across each of ", options_.quote_attempts,
      " quote attempts (something extends them continuously); last: ",
      last.message()));
}

absl::StatusOr<TpmQuote> EsysTpm::QuoteOnce(const PcrSelection& selection,
                                            const TPML_PCR_SELECTION& tpml,
                                            const TPM2B_DATA& nonce,
                                            bool* moved) {
  ABSL_ASSIGN_OR_RETURN(PcrValues before, ReadPcrs(selection),
                        _ << "reading the PCRs to quote");
  TPMT_SIG_SCHEME scheme = {};
  scheme.scheme = TPM2_ALG_NULL;  // the AK's own scheme
  TPM2B_ATTEST* quoted_raw = nullptr;
  TPMT_SIGNATURE* sig_raw = nullptr;
  TSS2_RC rc =
      Esys_Quote(ctx_->get(), ak_.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE,
                 ESYS_TR_NONE, &nonce, &scheme, &tpml, &quoted_raw, &sig_raw);
  EsysPtr<TPM2B_ATTEST> quoted(quoted_raw);
  EsysPtr<TPMT_SIGNATURE> sig(sig_raw);
  ABSL_RETURN_IF_ERROR(TssError("Esys_Quote", rc));

  TpmQuote out;
  out.attest.assign(reinterpret_cast<const char*>(quoted->attestationData),
                    quoted->size);
  out.signature = MarshalSignature(*sig);
  ABSL_ASSIGN_OR_RETURN(TPMS_ATTEST attest, ParseAttest(out.attest),
                        _ << "the TPM's quote");
  if (attest.magic != TPM2_GENERATED_VALUE ||
      attest.type != TPM2_ST_ATTEST_QUOTE ||
      Tpm2bBytes(attest.extraData) !=
          absl::string_view(reinterpret_cast<const char*>(nonce.buffer),
                            nonce.size)) {
    return absl::InternalError(
        "Esys_Quote returned an attest that is not a quote over our nonce");
  }
  ABSL_ASSIGN_OR_RETURN(PcrSelection quoted_sel,
                        SelectionFromTpml(attest.attested.quote.pcrSelect));
  if (!(quoted_sel == selection)) {
    return absl::InternalError(
        "Esys_Quote covered another PCR selection than the one requested");
  }
  const std::string digest = Tpm2bBytes(attest.attested.quote.pcrDigest);
  ABSL_ASSIGN_OR_RETURN(std::string expect,
                        QuotePcrDigest(ak_info_.sign_hash, selection, before));
  if (expect == digest) {
    out.pcrs = std::move(before);
    return out;
  }
  // Something extended between the read and the quote: the values now may be
  // the quoted ones.
  ABSL_ASSIGN_OR_RETURN(PcrValues after, ReadPcrs(selection),
                        _ << "re-reading the quoted PCRs");
  ABSL_ASSIGN_OR_RETURN(expect,
                        QuotePcrDigest(ak_info_.sign_hash, selection, after));
  if (expect == digest) {
    out.pcrs = std::move(after);
    return out;
  }
  *moved = true;
  return absl::UnavailableError(
      "the PCRs read before and after the quote both differ from its "
      "pcrDigest");
}

}  // namespace candor::tpm
