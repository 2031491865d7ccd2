#include "lib/quote/hash.h"

namespace candor::quote {
namespace {

struct Digests {
  EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD* sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  EVP_MD* sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
};

}  // namespace

const EVP_MD* FetchedDigest(TPMI_ALG_HASH alg) {
  // Fetched once and never freed: they live as long as the process (freeing
  // them at exit could race OpenSSL's own atexit cleanup).
  static const Digests* const digests = new Digests();
  switch (alg) {
    case TPM2_ALG_SHA1:
      return digests->sha1;
    case TPM2_ALG_SHA256:
      return digests->sha256;
    case TPM2_ALG_SHA384:
      return digests->sha384;
    case TPM2_ALG_SHA512:
      return digests->sha512;
    default:
      return nullptr;
  }
}

}  // namespace candor::quote
