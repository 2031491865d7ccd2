#include "services/registrar/proof.h"

#include <openssl/evp.h>

#include "lib/crypto/digest.h"
#include "lib/tpm/kdf.h"

namespace candor::registrar {

absl::StatusOr<std::string> ComputeProof(absl::string_view credential,
                                         absl::string_view agent_id) {
  return tpm::Hmac(EVP_sha384(), credential, agent_id);
}

std::string ProofDigest(absl::string_view proof) {
  return crypto::Sha256(proof);
}

}  // namespace candor::registrar
