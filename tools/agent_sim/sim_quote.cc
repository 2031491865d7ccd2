#include "tools/agent_sim/sim_quote.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/tpm_marshal.h"

namespace candor::agent_sim {

absl::StatusOr<std::string> MakeQuoteAttest(const AttestInput& in) {
  if (in.values == nullptr) {
    return absl::InvalidArgumentError("MakeQuoteAttest: no PCR values");
  }
  TPMS_ATTEST a = {};
  a.magic = TPM2_GENERATED_VALUE;
  a.type = TPM2_ST_ATTEST_QUOTE;
  if (in.signer_name.size() > sizeof(a.qualifiedSigner.name) ||
      in.nonce.size() > sizeof(a.extraData.buffer)) {
    return absl::InvalidArgumentError(
        "MakeQuoteAttest: signer name or nonce too long");
  }
  a.qualifiedSigner.size = static_cast<UINT16>(in.signer_name.size());
  std::copy(in.signer_name.begin(), in.signer_name.end(),
            a.qualifiedSigner.name);
  a.extraData.size = static_cast<UINT16>(in.nonce.size());
  std::copy(in.nonce.begin(), in.nonce.end(), a.extraData.buffer);
  a.clockInfo.clock = in.clock_ms;
  a.clockInfo.resetCount = kSimResetCount;
  a.clockInfo.restartCount = kSimRestartCount;
  a.clockInfo.safe = TPM2_YES;
  a.firmwareVersion = kSimFirmwareVersion;
  ABSL_ASSIGN_OR_RETURN(a.attested.quote.pcrSelect,
                        tpm::SelectionToTpml(in.selection));
  ABSL_ASSIGN_OR_RETURN(
      std::string digest,
      tpm::QuotePcrDigest(TPM2_ALG_SHA256, in.selection, *in.values));
  a.attested.quote.pcrDigest.size = static_cast<UINT16>(digest.size());
  std::copy(digest.begin(), digest.end(), a.attested.quote.pcrDigest.buffer);
  std::string out = tpm::MarshalAttest(a);
  if (out.empty()) return absl::InternalError("marshalling TPMS_ATTEST");
  return out;
}

}  // namespace candor::agent_sim
