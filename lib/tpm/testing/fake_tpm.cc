// FakeTpm: PCRs, facts, Startup/Shutdown. Keys and quotes are in
// fake_tpm_keys.cc.
#include "lib/tpm/testing/fake_tpm.h"

#include <openssl/rand.h>

#include <set>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/pcr_digest.h"
#include "lib/tpm/tss_error.h"

namespace candor::tpm::testing {

absl::StatusOr<std::unique_ptr<FakeTpm>> FakeTpm::Create(
    const Options& options) {
  std::set<TPM2_ALG_ID> seen;
  for (TPM2_ALG_ID bank : options.banks) {
    ABSL_RETURN_IF_ERROR(BankDigestSize(bank).status()) << "FakeTpm banks";
    if (!seen.insert(bank).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("FakeTpm: bank ", BankName(bank), " listed twice"));
    }
  }
  unsigned char id[8];
  if (RAND_bytes(id, sizeof(id)) != 1) {
    return absl::InternalError("FakeTpm: RAND_bytes failed");
  }
  std::unique_ptr<FakeTpm> tpm(new FakeTpm(
      options, std::string(reinterpret_cast<const char*>(id), sizeof(id))));
  tpm->ResetPcrBanks();
  return tpm;
}

void FakeTpm::ResetPcrBanks() {
  pcrs_.clear();
  for (TPM2_ALG_ID bank : options_.banks) {
    const size_t size = BankDigestSize(bank).value();
    for (uint32_t pcr = 0; pcr < kNumPcrs; ++pcr) {
      pcrs_[bank][pcr] =
          std::string(size, pcr >= 17 && pcr <= 22 ? '\xff' : '\0');
    }
  }
}

absl::Status FakeTpm::RequireStarted(absl::string_view command) const {
  if (started_) return absl::OkStatus();
  return TssError(absl::StrCat("FakeTpm ", command), TPM2_RC_INITIALIZE);
}

absl::StatusOr<PcrValues> FakeTpm::ReadPcrs(const PcrSelection& selection) {
  ABSL_RETURN_IF_ERROR(RequireStarted("PCR_Read"));
  ABSL_RETURN_IF_ERROR(ValidateSelection(selection)) << "ReadPcrs";
  PcrValues out;
  for (const BankSelection& bank : selection) {
    auto it = pcrs_.find(bank.bank);
    if (it == pcrs_.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "ReadPcrs: bank ", BankName(bank.bank), " is not allocated"));
    }
    PcrBank& values = out[bank.bank];
    for (uint32_t pcr : bank.pcrs) values[pcr] = it->second.at(pcr);
  }
  return out;
}

absl::Status FakeTpm::ResetPcr(uint32_t pcr) {
  ABSL_RETURN_IF_ERROR(RequireStarted("PCR_Reset"));
  if (pcr >= kNumPcrs) {
    return absl::InvalidArgumentError(
        absl::StrCat("ResetPcr: PCR ", pcr, " is out of range 0..23"));
  }
  if (pcr != 16 && pcr != 23) {
    return TssError(absl::StrCat("FakeTpm PCR_Reset(", pcr, ")"),
                    TPM2_RC_LOCALITY);
  }
  for (auto& [bank, values] : pcrs_) {
    values[pcr] = std::string(values[pcr].size(), '\0');
  }
  return absl::OkStatus();
}

absl::Status FakeTpm::ExtendChecked(const PcrExtend& extend) {
  for (const auto& [bank, digest] : extend.digests) {
    auto it = pcrs_.find(bank);
    if (it == pcrs_.end()) continue;  // the TPM ignores unallocated banks
    std::string& value = it->second[extend.pcr];
    ABSL_ASSIGN_OR_RETURN(value, ExtendValue(bank, value, digest));
  }
  ++extend_count_;
  return absl::OkStatus();
}

absl::Status FakeTpm::ExtendPcr(uint32_t pcr, const PcrDigests& digests) {
  ABSL_RETURN_IF_ERROR(RequireStarted("PCR_Extend"));
  PcrExtend extend{pcr, digests};
  ABSL_RETURN_IF_ERROR(ValidateExtend(extend)) << "ExtendPcr";
  return ExtendChecked(extend);
}

absl::Status FakeTpm::ExtendPcrMany(const std::vector<PcrExtend>& extends) {
  ABSL_RETURN_IF_ERROR(RequireStarted("PCR_Extend"));
  for (size_t i = 0; i < extends.size(); ++i) {
    ABSL_RETURN_IF_ERROR(ValidateExtend(extends[i]))
        << "ExtendPcrMany entry " << i << " (nothing was extended)";
  }
  for (const PcrExtend& e : extends) ABSL_RETURN_IF_ERROR(ExtendChecked(e));
  return absl::OkStatus();
}

absl::StatusOr<crypto::SecretBytes> FakeTpm::ActivateCredential(
    absl::string_view, absl::string_view, EkType) {
  return absl::UnimplementedError(
      "FakeTpm does not implement ActivateCredential; use swtpm "
      "(tests/harness) for credential tests");
}

absl::StatusOr<TpmFacts> FakeTpm::Facts() {
  ABSL_RETURN_IF_ERROR(RequireStarted("GetCapability"));
  TpmFacts facts;
  facts.manufacturer = "FAKE";
  facts.vendor = "Candor FakeTpm";
  facts.firmware_version = 0x2024000100000001;
  facts.spec_revision = 164;
  facts.pcr_banks = options_.banks;
  facts.algorithms = {TPM2_ALG_RSA,  TPM2_ALG_SHA1,   TPM2_ALG_HMAC,
                      TPM2_ALG_AES,  TPM2_ALG_SHA256, TPM2_ALG_SHA384,
                      TPM2_ALG_NULL, TPM2_ALG_RSASSA, TPM2_ALG_ECDSA,
                      TPM2_ALG_ECC,  TPM2_ALG_CFB};
  return facts;
}

void FakeTpm::SimulatePowerLoss() {
  started_ = false;
  orderly_ = shutdown_ != -1;
  ak_.reset();
}

absl::Status FakeTpm::Startup(bool clear) {
  if (started_) return absl::OkStatus();  // as ESAPI: a no-op
  if (clear) {
    if (shutdown_ == TPM2_SU_STATE) {
      ++restart_count_;  // TPM Restart
    } else {
      ++reset_count_;  // TPM Reset
      restart_count_ = 0;
    }
    ResetPcrBanks();
  } else {
    if (shutdown_ != TPM2_SU_STATE) {
      return TssError("FakeTpm Startup(STATE) without Shutdown(STATE)",
                      TPM2_RC_VALUE | TPM2_RC_P | TPM2_RC_1);
    }
    ++restart_count_;  // TPM Resume: PCRs kept
  }
  started_ = true;
  shutdown_ = -1;
  ak_.reset();
  return absl::OkStatus();
}

absl::Status FakeTpm::Shutdown(bool clear) {
  ABSL_RETURN_IF_ERROR(RequireStarted("Shutdown"));
  shutdown_ = clear ? TPM2_SU_CLEAR : TPM2_SU_STATE;
  return absl::OkStatus();
}

}  // namespace candor::tpm::testing
