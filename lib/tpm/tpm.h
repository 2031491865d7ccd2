// File: lib/tpm/tpm.h
//
// What Candor needs from a TPM, as a small interface with no ESAPI types:
// the EKs and their certificates, one attestation key (AK) created under an EK
// and loaded from its blobs, quotes with the PCR values they cover, PCR
// read/extend/reset, credential activation (TPM 2.0 Part 3 §12.5), facts about
// the TPM, and Startup/Shutdown for the reboot simulator.
//
// Implementations: EsysTpm (lib/tpm/esys_tpm.h, tpm2-tss ESAPI over a TCTI)
// and FakeTpm (lib/tpm/testing/fake_tpm.h, software, testonly).
//
// Byte strings are TPM wire formats (TPM 2.0 Part 2), big-endian, marshalled
// as tss2-mu does. PCR banks are TPM2_ALG_IDs (lib/tpm/pcr_values.h).
//
// Errors: TPM return codes become statuses through TssError (naming the call,
// the decoded code and its retry class: UNAVAILABLE = try later,
// FAILED_PRECONDITION = needs Startup, RESOURCE_EXHAUSTED = lockout);
// malformed arguments are INVALID_ARGUMENT; "no such thing" is NOT_FOUND.
//
// Thread-safety: none. A Tpm is used from one thread at a time (a TPM serves
// one command at a time; swtpm one connection at a time). Callers that share
// one across threads serialize with their own mutex.
#ifndef CANDOR_LIB_TPM_TPM_H_
#define CANDOR_LIB_TPM_TPM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret.h"
#include "lib/tpm/ek.h"
#include "lib/tpm/pcr_values.h"

namespace candor::tpm {

// Attestation key types. Both are restricted signing keys with
// fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|restricted|sign, an
// empty authValue and nameAlg SHA-256.
enum class AkType {
  kRsa2048,  // RSA-2048, RSASSA-PKCS1-v1_5 with SHA-256
  kEccP256,  // ECC NIST P-256, ECDSA with SHA-256
};

// An AK as the agent stores it (in its state directory) and registers it.
struct AkBlobs {
  std::string public_area;   // marshalled TPM2B_PUBLIC
  std::string private_area;  // marshalled TPM2B_PRIVATE (wrapped by the EK)
  std::string name;          // TPM2B_NAME contents: nameAlg || H(public)
};

// A quote and the PCR values it covers.
struct TpmQuote {
  // The signed TPMS_ATTEST (TPM2B_ATTEST contents, without the size field):
  // exactly what tpm2_quote -m writes and tpm2_checkquote -m reads.
  std::string attest;
  std::string signature;  // marshalled TPMT_SIGNATURE
  // Values of the quoted PCRs; their digest (in selection order, with the
  // AK's signing hash) equals the attest's pcrDigest.
  PcrValues pcrs;
};

struct TpmFacts {
  // TPM_PT_MANUFACTURER as up to 4 chars ("IBM", "INTC", "MSFT"), and
  // TPM_PT_VENDOR_STRING_1..4 ("SW   TPM"); trailing NULs removed.
  std::string manufacturer;
  std::string vendor;
  uint64_t firmware_version = 0;  // FIRMWARE_VERSION_1 << 32 | _2
  uint32_t spec_revision = 0;     // TPM_PT_REVISION (e.g. 164 = 1.64)
  // Banks with at least one PCR allocated (TPM2_CAP_PCRS), in TPM order.
  std::vector<TPM2_ALG_ID> pcr_banks;
  // Every algorithm the TPM implements (TPM2_CAP_ALGS), ascending.
  std::vector<TPM2_ALG_ID> algorithms;
};

class Tpm {
 public:
  virtual ~Tpm() = default;

  // Marshalled TPM2B_PUBLIC of the EK (see EsysTpm for where it comes from).
  virtual absl::StatusOr<std::string> EkPublic(EkType type) = 0;
  // The DER EK certificate from NV. NOT_FOUND when the TPM has none.
  virtual absl::StatusOr<std::string> EkCertificate(EkType type) = 0;

  // Creates a new AK under the EK `parent`; it is not loaded.
  virtual absl::StatusOr<AkBlobs> CreateAk(AkType type, EkType parent) = 0;
  // Loads an AK from its blobs under `parent`, replacing (flushing) any AK
  // loaded before. It stays loaded until the next LoadAk, Startup or the
  // Tpm's destruction. INVALID_ARGUMENT when the blobs do not parse or the
  // public area is not a restricted signing key; TPM errors otherwise (an AK
  // created under another EK or TPM fails the TPM's integrity check).
  virtual absl::Status LoadAk(absl::string_view public_area,
                              absl::string_view private_area,
                              EkType parent) = 0;

  // Quotes `selection` with the loaded AK over `nonce` (qualifying data, at
  // most 64 bytes) with the AK's own scheme. The PCRs are read before the
  // quote and, if the quote's pcrDigest does not match, again after it; when
  // neither matches (PCRs moved across the quote) the whole is retried a
  // bounded number of times, then UNAVAILABLE. FAILED_PRECONDITION when no
  // AK is loaded.
  virtual absl::StatusOr<TpmQuote> Quote(const PcrSelection& selection,
                                         absl::string_view nonce) = 0;

  // Current values of the selected PCRs. INVALID_ARGUMENT for a bank listed
  // twice or a PCR over 23; FAILED_PRECONDITION for a bank the TPM has not
  // allocated.
  virtual absl::StatusOr<PcrValues> ReadPcrs(const PcrSelection& selection) = 0;

  // TPM2_PCR_Reset (locality 0 may reset PCR 16 and 23 only).
  virtual absl::Status ResetPcr(uint32_t pcr) = 0;
  // One TPM2_PCR_Extend of `digests` (one per bank; each the bank's digest
  // size) into `pcr`. Banks not listed are left alone.
  virtual absl::Status ExtendPcr(uint32_t pcr, const PcrDigests& digests) = 0;
  // Many extends in order (IMA and boot-log emulation). Every entry is
  // checked before the first is sent, so bad input extends nothing; a TPM
  // error names the entry it failed at (earlier ones are applied).
  virtual absl::Status ExtendPcrMany(const std::vector<PcrExtend>& extends) = 0;

  // TPM2_ActivateCredential with the loaded AK under EK `ek`:
  // `credential_blob` is a marshalled TPM2B_ID_OBJECT and `encrypted_secret`
  // a marshalled TPM2B_ENCRYPTED_SECRET (both with their size fields). Returns
  // the credential. A blob made for another AK name or EK fails with
  // INVALID_ARGUMENT (the TPM's integrity check).
  virtual absl::StatusOr<crypto::SecretBytes> ActivateCredential(
      absl::string_view credential_blob, absl::string_view encrypted_secret,
      EkType ek) = 0;

  virtual absl::StatusOr<TpmFacts> Facts() = 0;

  // TPM2_Startup(CLEAR or STATE) / TPM2_Shutdown(CLEAR or STATE). A Startup
  // after a TPM reset or power loss flushes the loaded AK: LoadAk again from
  // its blobs. Startup on a TPM that is already started is OK and changes
  // nothing (ESAPI treats TPM_RC_INITIALIZE there as success).
  virtual absl::Status Startup(bool clear) = 0;
  virtual absl::Status Shutdown(bool clear) = 0;
};

}  // namespace candor::tpm

#endif  // CANDOR_LIB_TPM_TPM_H_
