// File: services/registrar/proof.h
//
// The activation proof (protos/candor/v1/README.md, "Binary formats"):
// proof = HMAC-SHA384(key = the credential TPM2_ActivateCredential recovered,
// message = the agent id as UTF-8), 48 bytes. The registrar never stores the
// credential or the proof: it keeps ProofDigest(expected proof), so a copy of
// the database does not let anyone complete a pending activation.
// Pure and thread-safe.
#ifndef CANDOR_SERVICES_REGISTRAR_PROOF_H_
#define CANDOR_SERVICES_REGISTRAR_PROOF_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace candor::registrar {

inline constexpr size_t kProofBytes = 48;
inline constexpr size_t kCredentialBytes = 32;

// HMAC-SHA384(credential, agent_id). INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> ComputeProof(absl::string_view credential,
                                         absl::string_view agent_id);

// SHA-256(proof): what the store keeps and Activate compares (in constant
// time) against SHA-256 of the proof it receives.
std::string ProofDigest(absl::string_view proof);

}  // namespace candor::registrar

#endif  // CANDOR_SERVICES_REGISTRAR_PROOF_H_
