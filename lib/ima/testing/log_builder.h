// File: lib/ima/testing/log_builder.h
//
// Test helper: writes ascii_runtime_measurements lines with correct SHA-1
// template hashes, and computes the PCR 10 they give on any bank and in
// either extend mode with its own straightforward code (crypto::Digest over
// concatenations), as an independent check of lib/ima/replay. testonly.
#ifndef CANDOR_LIB_IMA_TESTING_LOG_BUILDER_H_
#define CANDOR_LIB_IMA_TESTING_LOG_BUILDER_H_

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/ima/hash_algo.h"
#include "lib/ima/replay.h"

namespace candor::ima::testing {

// H_algo(data), raw. Aborts on an OpenSSL failure (tests only).
std::string HashOf(HashAlgo algo, absl::string_view data);

// An ima-sig sig field (type 3, version 2) signing the file digest `digest`
// (of `algo`) with `key`: RSA PKCS#1 v1.5 or ECDSA. keyid: KeyIdV2 of the
// key unless `keyid` is given. Aborts on failure.
std::string SignFileDigest(EVP_PKEY* key, HashAlgo algo,
                           absl::string_view digest, int64_t keyid = -1);

// A private key from a PEM file (runfiles path). Aborts on failure.
crypto::OsslPtr<EVP_PKEY> ReadPrivateKey(const std::string& path);

class LogBuilder {
 public:
  // Each returns the line it appended (without newline). `digest` is raw.
  std::string ImaNg(absl::string_view path, HashAlgo algo,
                    absl::string_view digest);
  // Digest = H_algo(content).
  std::string ImaNgOf(absl::string_view path, absl::string_view content,
                      HashAlgo algo = HashAlgo::kSha256);
  std::string ImaSig(absl::string_view path, HashAlgo algo,
                     absl::string_view digest, absl::string_view sig);
  std::string ImaBuf(absl::string_view name, absl::string_view buf,
                     HashAlgo algo = HashAlgo::kSha256);
  std::string Ima(absl::string_view path, absl::string_view sha1_digest);
  std::string ImaModsig(absl::string_view path, HashAlgo algo,
                        absl::string_view digest, absl::string_view sig,
                        absl::string_view modsig_digest_field,
                        absl::string_view modsig);
  // A violation: template hash zeros, d-ng "<algo>:" + 20 zero bytes.
  std::string Violation(absl::string_view path,
                        HashAlgo algo = HashAlgo::kSha256);
  // Appends `line` as is (its template data is recomputed for PCRs).
  void Raw(absl::string_view line);

  const std::vector<std::string>& lines() const { return lines_; }
  std::vector<absl::string_view> views() const;
  std::string Text() const;  // lines joined with '\n', trailing '\n'

  // PCR 10 of `bank` after the first `entries` lines (all by default).
  std::string Pcr10(TPM2_ALG_ID bank, ExtendMode mode,
                    size_t entries = static_cast<size_t>(-1)) const;

 private:
  std::string Finish(absl::string_view tmpl, absl::string_view fields,
                     bool violation);
  std::vector<std::string> lines_;
  std::vector<std::string> template_data_;
  std::vector<bool> violation_;
};

}  // namespace candor::ima::testing

#endif  // CANDOR_LIB_IMA_TESTING_LOG_BUILDER_H_
