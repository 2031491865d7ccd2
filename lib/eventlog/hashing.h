// File: lib/eventlog/hashing.h
//
// The hash of a PCR bank and PCR extension, for replay and digest checks.
// Digest implementations are fetched from OpenSSL once per process and
// cached (EVP_MD_fetch), so hashing costs no provider lookup per call.
// Thread-safe. Banks OpenSSL cannot hash (an algorithm id the TPM spec does
// not map to a digest, or SM3 when the provider lacks it) give nullptr /
// false: callers skip them and say so.
#ifndef CANDOR_LIB_EVENTLOG_HASHING_H_
#define CANDOR_LIB_EVENTLOG_HASHING_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <string>

#include "absl/strings/string_view.h"

namespace candor::eventlog {

// The digest of `bank` (TPM2_ALG_SHA1 ... TPM2_ALG_SM3_256), or nullptr.
// Not owned; valid for the life of the process.
const EVP_MD* BankMd(TPM2_ALG_ID bank);

// *out = H_bank(data). False when the bank cannot be hashed.
bool HashForBank(TPM2_ALG_ID bank, absl::string_view data, std::string* out);

// *pcr = H_bank(*pcr || digest). False when the bank cannot be hashed.
bool ExtendPcr(TPM2_ALG_ID bank, std::string* pcr, absl::string_view digest);

}  // namespace candor::eventlog

#endif  // CANDOR_LIB_EVENTLOG_HASHING_H_
