// File: lib/tpm/esys_tpm.h
//
// Tpm (lib/tpm/tpm.h) over tpm2-tss ESAPI, for a TPM named by a TCTI string:
// "swtpm:host=127.0.0.1,port=2321", "device:/dev/tpmrm0", …
//
//   ABSL_ASSIGN_OR_RETURN(std::unique_ptr<EsysTpm> tpm,
//                         EsysTpm::Create("device:/dev/tpmrm0"));
//   ABSL_RETURN_IF_ERROR(tpm->LoadAk(pub, priv, EkType::kRsa));
//   ABSL_ASSIGN_OR_RETURN(TpmQuote q, tpm->Quote(selection, nonce));
//
// Create() opens the TPM and flushes transient objects and sessions that
// earlier processes left loaded (swtpm has no resource manager). Everything
// ESAPI hands out is owned by RAII holders: the only handle that outlives a
// call is the loaded AK (flushed by LoadAk, forgotten by Startup, flushed by
// the destructor), so after any sequence of calls the TPM holds at most that
// one transient object and no session.
//
// EKs: the persistent EK (0x81010001 RSA, 0x81010016 ECC) when present;
// otherwise created per use with TPM2_CreatePrimary from the TCG default
// template (lib/tpm/ek_template.h): RSA L-1; ECC L-2 (P-256) when the TPM
// holds a P-256 EK certificate (NV 0x01c0000a), else H-3 (P-384, what swtpm
// certifies). EK-authorized commands each get a fresh session
// (lib/tpm/esys_session.h).
//
// Not thread-safe: one EsysTpm per TPM connection, used from one thread at a
// time (swtpm serves one connection at a time: a second EsysTpm or a
// tpm2-tools process blocks until this one is destroyed).
#ifndef CANDOR_LIB_TPM_ESYS_TPM_H_
#define CANDOR_LIB_TPM_ESYS_TPM_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/tpm/ek_policy.h"
#include "lib/tpm/esys_context.h"
#include "lib/tpm/handles.h"
#include "lib/tpm/tpm.h"

namespace candor::tpm {

class EsysTpm : public Tpm {
 public:
  struct Options {
    // False: always create EKs from their templates, ignoring persistent
    // handles (tests compare the two).
    bool use_persistent_ek = true;
    // Quote attempts while PCRs keep moving across the quote (>= 1).
    int quote_attempts = 5;
  };

  // Opens `tcti` and flushes leftover handles. UNAVAILABLE when the TPM
  // cannot be reached; a TPM awaiting TPM2_Startup is accepted (call
  // Startup). INVALID_ARGUMENT for quote_attempts < 1.
  static absl::StatusOr<std::unique_ptr<EsysTpm>> Create(
      const std::string& tcti);
  static absl::StatusOr<std::unique_ptr<EsysTpm>> Create(
      const std::string& tcti, const Options& options);
  ~EsysTpm() override;

  absl::StatusOr<std::string> EkPublic(EkType type) override;
  absl::StatusOr<std::string> EkCertificate(EkType type) override;
  absl::StatusOr<AkBlobs> CreateAk(AkType type, EkType parent) override;
  absl::Status LoadAk(absl::string_view public_area,
                      absl::string_view private_area, EkType parent) override;
  absl::StatusOr<TpmQuote> Quote(const PcrSelection& selection,
                                 absl::string_view nonce) override;
  absl::StatusOr<PcrValues> ReadPcrs(const PcrSelection& selection) override;
  absl::Status ResetPcr(uint32_t pcr) override;
  absl::Status ExtendPcr(uint32_t pcr, const PcrDigests& digests) override;
  absl::Status ExtendPcrMany(const std::vector<PcrExtend>& extends) override;
  absl::StatusOr<crypto::SecretBytes> ActivateCredential(
      absl::string_view credential_blob, absl::string_view encrypted_secret,
      EkType ek) override;
  absl::StatusOr<TpmFacts> Facts() override;
  absl::Status Startup(bool clear) override;
  absl::Status Shutdown(bool clear) override;

  // Diagnostics for tests: the TPM's loaded transient objects and sessions.
  absl::StatusOr<LoadedHandles> ListLoadedHandles();
  // For benchmarks that compare against raw ESAPI calls: the context and the
  // loaded AK (ESYS_TR_NONE when none). Production code uses the interface.
  EsysContext& context() { return *ctx_; }
  ESYS_TR ak_handle() const { return ak_.get(); }

 private:
  struct EkInfo {
    std::string public_area;  // marshalled TPM2B_PUBLIC
    TPM2B_PUBLIC pub;
    EkAuth auth;
    bool persistent = false;
  };
  struct AkInfo {
    TPMT_PUBLIC pub;
    TPMI_ALG_HASH sign_hash;  // the scheme's hash: Quote's pcrDigest alg
  };

  EsysTpm(std::unique_ptr<EsysContext> ctx, const Options& options)
      : ctx_(std::move(ctx)), options_(options) {}

  // The EK's public area and how to authorize it (cached: it never changes).
  absl::StatusOr<const EkInfo*> Ek(EkType type);
  // An ESYS_TR for the EK: the persistent handle, or a fresh primary that is
  // flushed when the returned handle goes.
  absl::StatusOr<EsysHandle> EkHandle(EkType type);
  absl::StatusOr<EsysHandle> CreatePrimaryEk(EkType type,
                                             TPM2B_PUBLIC* out_public);
  absl::StatusOr<TpmQuote> QuoteOnce(const PcrSelection& selection,
                                     const TPML_PCR_SELECTION& tpml,
                                     const TPM2B_DATA& nonce, bool* moved);
  absl::Status ExtendOne(const PcrExtend& extend);

  std::unique_ptr<EsysContext> ctx_;
  const Options options_;
  std::optional<EkInfo> ek_[2];  // by EkType
  EsysHandle ak_;
  AkInfo ak_info_ = {};
};

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_ESYS_TPM_H_
