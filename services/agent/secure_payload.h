// File: services/agent/secure_payload.h
//
// AgentService.DeliverKeyShare's logic (DESIGN.md "Secure payload";
// agent.proto DeliverKeyShare): the agent keeps the last 4 U shares (each with
// its auth tag and optional encrypted payload) and the last 4 V shares,
// unwrapped with the transport key and held only in memory as SecretBytes,
// and tries every U×V pair, newest first. On the first pair whose
// K = U xor V reproduces the U's auth tag it decrypts the payload,
// extracts it into a fresh directory and swaps that into place as
// `<secure_dir>/payload` (so a new payload replaces the old one atomically),
// then starts `payload/autorun.sh` if there is one (cwd = payload/, stdout
// and stderr appended to payload/autorun.log; not waited for, reaped in the
// background). A non-archive payload is stored as payload/decrypted_payload.
//
// Persistence: the received U requests (still encrypted to the transport
// key) are kept in `<state_dir>/key_shares_u` (0600, written atomically) so a
// restart between U and V loses nothing. V, K and plaintext shares are never
// written to disk. The secure directory is created 0700.
//
// Thread-safe: one internal mutex serializes deliveries; nothing else in the
// agent waits for it.
#ifndef CANDOR_SERVICES_AGENT_SECURE_PAYLOAD_H_
#define CANDOR_SERVICES_AGENT_SECURE_PAYLOAD_H_

#include <openssl/evp.h>

#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "candor/v1/agent.pb.h"
#include "lib/crypto/secret.h"

namespace candor::agent {

struct SecurePayloadConfig {
  std::string agent_id;
  std::string state_dir;
  std::string secure_dir;
  EVP_PKEY* transport_key = nullptr;  // not owned; must outlive the object
  size_t max_shares = 4;              // of each kind
};

// The default private directory: /dev/shm/candor-<agent_id> when /dev/shm is
// a writable directory, else <state_dir>/secure.
std::string DefaultSecureDir(const std::string& agent_id,
                             const std::string& state_dir);

class SecurePayload {
 public:
  // Creates secure_dir (0700; an existing one is chmod'ed 0700) and loads the
  // persisted U shares (an unreadable or stale entry is dropped with a
  // warning). Errors name the directory.
  static absl::StatusOr<std::unique_ptr<SecurePayload>> Create(
      SecurePayloadConfig config);

  // Errors as agent.proto lists them for DeliverKeyShare (INVALID_ARGUMENT);
  // the outcome of combining is in the result. The caller checks the role.
  absl::StatusOr<v1::KeyShareResult> Deliver(
      const v1::DeliverKeyShareRequest& request);

  // Where payloads are extracted: <secure_dir>/payload.
  std::string payload_dir() const;

 private:
  struct UShare {
    crypto::SecretBytes u;
    v1::DeliverKeyShareRequest request;  // as received (share encrypted)
  };

  explicit SecurePayload(SecurePayloadConfig config)
      : config_(std::move(config)) {}
  absl::Status LoadPersisted() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PersistLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Tries the pairs that include the share just delivered (a U if
  // `new_is_u`, else a V), newest partner first.
  v1::KeyShareResult CombineLocked(bool new_is_u)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Decrypts, extracts and starts autorun.sh; fills `result`.
  void InstallPayload(const crypto::SecretBytes& k, const UShare& u,
                      v1::KeyShareResult& result);
  std::string persist_path() const;

  const SecurePayloadConfig config_;
  absl::Mutex mu_;
  std::deque<UShare> us_ ABSL_GUARDED_BY(mu_);               // newest last
  std::deque<crypto::SecretBytes> vs_ ABSL_GUARDED_BY(mu_);  // newest last
  v1::KeyShareResult last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_SECURE_PAYLOAD_H_
