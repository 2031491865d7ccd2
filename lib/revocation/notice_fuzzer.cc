// Fuzzes VerifyNotice: the input is parsed as a serialized RevocationNotice
// (or, when that fails, used as the notice's message with a garbage
// signature) and verified against a CA made once at start. Nothing may crash;
// nothing but a correctly signed notice may verify.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lib/crypto/cert_issuer.h"
#include "lib/revocation/notice.h"

namespace {

const candor::crypto::CaStore& Ca() {
  static const candor::crypto::CaStore* ca = [] {
    auto key =
        candor::crypto::GenerateKey(candor::crypto::KeyAlgorithm::kEcP256);
    candor::crypto::CertificateSpec spec;
    spec.common_name = "fuzz-ca";
    spec.is_ca = true;
    auto cert =
        candor::crypto::IssueCertificate(spec, key->get(), nullptr, key->get());
    X509* certs[] = {cert->get()};
    auto store = candor::crypto::CaStore::FromCertificates(certs, "fuzz");
    if (!store.ok()) std::abort();
    return new candor::crypto::CaStore(std::move(*store));
  }();
  return *ca;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  candor::v1::RevocationNotice notice;
  if (!notice.ParseFromString(bytes)) {
    notice.Clear();
    notice.set_message(bytes);
    notice.set_signature("x");
    notice.set_signer_certificate(bytes);
  }
  auto message = candor::revocation::VerifyNotice(notice, Ca());
  if (message.ok()) std::abort();  // no notice in the corpus is signed by Ca()
  return 0;
}
