// File: lib/policy/runtime/evaluator.h
//
// Checks replayed IMA entries against a runtime policy with Keylime's
// semantics (reference/keylime.md §2.4 item 25), failing closed where
// Keylime is lax. Per entry (context "line" 1-based, "path", "digest" as
// "<algorithm>:<hex>"; EVERY failing entry is reported):
//
// ima, ima-ng       pass if the policy lists this digest for the path
//                   (algorithm and bytes equal), or an exclude matches the
//                   path; else ima.not_in_policy (path not listed) or
//                   ima.digest_mismatch (listed, digest not).
// ima-sig,          as ima-ng; if that fails and the entry has a signature,
// ima-modsig        pass if it verifies (IMA digsig v2) with a key of the
//                   policy's verification-keys or a key learned from the
//                   log; else ima.bad_signature ("reason" says why the
//                   signature failed, "fallback" which digest check failed).
//                   A valid signature passes a path the policy does not
//                   list, as in Keylime. (The appended modsig is not
//                   verified: the digest and the sig field decide.)
// ima-buf           the digest must be the hash of the buffer (else
//                   ima.digest_mismatch). A buffer holding a key (DER X.509
//                   certificate or public key) measured into keyring K:
//                   pass without learning it when K is in
//                   ima.ignored_keyrings (or "*") or excluded; else the
//                   policy's keyrings[K] must list the digest (else
//                   ima.keyring_not_allowed), and only then the key is
//                   learned for later signatures. Other buffers: as ima-ng
//                   against the policy's "ima-buf" names.
// violation         (template hash of zeros; ima.violation is reported by
//                   the replay as a warning) passes without a digest check
//                   (the kernel records zeros), but its path must still be
//                   listed in digests or excluded (else ima.not_in_policy):
//                   a measured path unknown to the policy is reported
//                   whatever the kernel recorded for it.
// boot_aggregate    is looked up like any path, except at index 0 when
//                   EvalOptions::boot_aggregate_checked says the caller
//                   checked it against quoted PCRs.
//
// Thread-safety: an Evaluator is used by one thread; it reads the shared
// immutable RuntimePolicy and writes the caller's EvalState.
#ifndef CANDOR_LIB_POLICY_RUNTIME_EVALUATOR_H_
#define CANDOR_LIB_POLICY_RUNTIME_EVALUATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "candor/v1/common.pb.h"
#include "lib/ima/entry.h"
#include "lib/ima/hasher.h"
#include "lib/ima/keyring.h"
#include "lib/policy/runtime/runtime_policy.h"

namespace candor::policy {

// What evaluation carries from entry to entry and cycle to cycle of one
// agent's boot: the keys learned from ima-buf keyring entries (each
// KeyringKey has the DER key, keyid and keyring, for persisting). Start
// empty at boot and after any failed cycle (replay restarts at entry 0).
struct EvalState {
  ima::Keyring learned_keys;
};

struct EvalOptions {
  bool boot_aggregate_checked = false;
};

class Evaluator {
 public:
  // `policy` and `state` must outlive the Evaluator.
  Evaluator(const RuntimePolicy& policy, EvalState* state,
            EvalOptions options = {});

  // Checks the entry at `index` (0-based in the boot's log); appends
  // failures to `*findings`. Returns true when the entry passed.
  bool Evaluate(const ima::Entry& entry, uint64_t index,
                std::vector<candor::v1::Failure>* findings);

 private:
  bool EvaluateBuffer(const ima::Entry& e, uint64_t index,
                      std::vector<candor::v1::Failure>* findings);
  void Report(
      absl::string_view id, const ima::Entry& e, uint64_t index,
      std::string message, std::vector<candor::v1::Failure>* findings,
      std::initializer_list<std::pair<std::string, std::string>> extra = {});
  ima::Hasher* HasherFor(ima::HashAlgo algo);

  const RuntimePolicy& policy_;
  EvalState* state_;
  EvalOptions options_;
  std::string scratch_;
  std::vector<std::optional<ima::Hasher>> hashers_;
};

// "<algorithm>:<hex>" of a digest.
std::string DigestText(const ima::Digest& digest);

}  // namespace candor::policy

#endif  // CANDOR_LIB_POLICY_RUNTIME_EVALUATOR_H_
