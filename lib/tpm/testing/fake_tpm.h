// File: lib/tpm/testing/fake_tpm.h
//
// FakeTpm: the Tpm interface in software, for unit tests of code that drives
// a TPM (agent, emulators, reboot simulator). Testonly; NOT a security
// boundary (its "private" blobs hold the AK's private key in the clear).
//
// What is real:
//   - PCR banks (default sha1 + sha256) with TPM semantics: all PCRs zero
//     after a reset except 17–22 (all 0xFF, PC Client), extend is
//     H_bank(old || digest), only PCRs 16 and 23 can be reset (locality 0).
//   - AKs are OpenSSL keys (RSA-2048 RSASSA-SHA256, P-256 ECDSA-SHA256) with
//     TPM public areas and Names; quotes are real marshalled TPMS_ATTEST and
//     TPMT_SIGNATURE that any verifier checks like a TPM's (qualifiedSigner
//     is the AK's Name; clockInfo counts milliseconds since creation).
//   - EKs are software keys with the TCG templates' public areas (RSA L-1,
//     ECC P-384 H-3), generated on first use. AK blobs load only on the
//     FakeTpm that made them, under the same EK (else INVALID_ARGUMENT, as
//     the TPM's integrity check would fail).
//   - Startup/Shutdown/power loss: resetCount/restartCount as TPM 2.0 Part 1
//     §36 describes; after SimulatePowerLoss() every command fails like a TPM
//     awaiting TPM2_Startup (FAILED_PRECONDITION, TPM_RC_INITIALIZE).
// What is not: ActivateCredential is UNIMPLEMENTED; no sessions, no NV.
// TPM errors carry real TPM return codes through TssError.
//
// Not thread-safe (like a TPM).
#ifndef CANDOR_LIB_TPM_TESTING_FAKE_TPM_H_
#define CANDOR_LIB_TPM_TESTING_FAKE_TPM_H_

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/tpm/tpm.h"

namespace candor::tpm::testing {

class FakeTpm : public Tpm {
 public:
  struct Options {
    std::vector<TPM2_ALG_ID> banks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};
    // DER EK certificates EkCertificate returns; empty means NOT_FOUND.
    std::string ek_certificate_rsa;
    std::string ek_certificate_ecc;
  };

  // INVALID_ARGUMENT for an unknown or repeated bank.
  static absl::StatusOr<std::unique_ptr<FakeTpm>> Create(
      const Options& options);
  static absl::StatusOr<std::unique_ptr<FakeTpm>> Create() {
    return Create(Options());
  }

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

  // Test controls: a power loss (the TPM then awaits Startup), and counters.
  void SimulatePowerLoss();
  bool ak_loaded() const { return ak_ != nullptr; }
  uint32_t reset_count() const { return reset_count_; }
  uint32_t restart_count() const { return restart_count_; }
  uint64_t extend_count() const { return extend_count_; }

 private:
  struct Ak {
    crypto::OsslPtr<EVP_PKEY> key;
    TPM2B_PUBLIC pub;
    std::string name;
  };
  struct Ek {
    crypto::OsslPtr<EVP_PKEY> key;
    std::string public_area;
  };

  FakeTpm(Options options, std::string instance_id)
      : options_(std::move(options)),
        instance_id_(std::move(instance_id)),
        created_(absl::Now()) {}
  absl::Status RequireStarted(absl::string_view command) const;
  absl::StatusOr<const Ek*> GetEk(EkType type);
  void ResetPcrBanks();
  absl::Status ExtendChecked(const PcrExtend& extend);
  absl::StatusOr<std::string> Sign(absl::string_view attest) const;

  const Options options_;
  const std::string instance_id_;  // binds AK blobs to this FakeTpm
  const absl::Time created_;
  std::unique_ptr<Ek> ek_[2];
  std::unique_ptr<Ak> ak_;
  PcrValues pcrs_;
  bool started_ = true;
  bool orderly_ = true;  // the last power loss followed a Shutdown
  int shutdown_ = -1;    // -1 none, else the TPM2_SU of Shutdown
  uint32_t reset_count_ = 0;
  uint32_t restart_count_ = 0;
  uint64_t extend_count_ = 0;
};

}  // namespace candor::tpm::testing

#endif  // CANDOR_LIB_TPM_TESTING_FAKE_TPM_H_
