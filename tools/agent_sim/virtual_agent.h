// File: tools/agent_sim/virtual_agent.h
//
// One virtual agent of the simulator: the evidence a real agent
// (services/agent/agent_core.h) would serve from a TPM and an IMA log, made
// in software so that a verifier attests it like a real one.
//   - Identity: software EK (sim_keys.h SimEk) with an EK certificate from
//     the simulator's CA, software AK (SimAk), the fleet's shared transport
//     key, a self-signed TLS certificate (lib/pki MakeAgentCertificate, SAN
//     = agent id), simulated = true. The agent id is `sim-<prefix>-NNNNN`.
//   - PCRs (sha256 bank only): 0-9 and 14 from the shared boot log, 10 the
//     running IMA value, 16 = SHA-256(0^32 || SHA-256(transport key DER)),
//     exactly as agent_core.cc binds it; every other PCR zero.
//   - Quotes: a TPMS_ATTEST (magic, ATTEST_QUOTE, qualifiedSigner = AK
//     Name, extraData = nonce, clockInfo {clock from a fleet-wide strictly
//     increasing millisecond counter, resetCount 1, restartCount 0, safe 1},
//     the requested selection, pcrDigest = SHA-256 of the values) signed
//     ECDSA-SHA256 by the AK.
//   - IMA: the shared log's first 1 + ima_initial + floor(growth * minutes
//     since start) entries, plus the agent's own tamper entries at the
//     positions where they were added. Pages like ima_log_reader.h: a start
//     past the end answers from 0 with restarted_from_zero, a start equal to
//     the end an empty page.
//   - Boot log: the shared generated UEFI log when asked (never missing);
//     boot id constant (derived from the agent id), boot time = simulator
//     start.
// Tampering: TamperIma (an entry for /tmp/evil-N, not in the policy, PCR 10
// extended accordingly), TamperQuote (later quotes signed by another key),
// TamperPcr16 (PCR 16 reported and quoted as another key's binding).
// Stop/Start: GetEvidence and GetIdentity answer UNAVAILABLE while stopped.
//
// Thread-safe: per-agent IMA state under a mutex, flags atomic.
#ifndef CANDOR_TOOLS_AGENT_SIM_VIRTUAL_AGENT_H_
#define CANDOR_TOOLS_AGENT_SIM_VIRTUAL_AGENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "candor/v1/agent.pb.h"
#include "lib/crypto/secret.h"
#include "tools/agent_sim/shared_log.h"
#include "tools/agent_sim/sim_keys.h"

namespace candor::agent_sim {

// What all virtual agents share. Owned by the fleet; outlives the agents.
struct FleetContext {
  SharedLog* log = nullptr;
  std::string transport_der;        // DER SPKI of the shared RSA-2048 key
  std::string pcr16;                // its binding: H(0^32 || H(transport_der))
  std::string wrong_pcr16;          // the binding of another key (tamper pcr16)
  const SimAk* wrong_ak = nullptr;  // signs tampered quotes
  absl::Time start;                 // simulator start = every boot time
  uint64_t ima_initial = 0;
  double ima_growth_per_minute = 0;
  // Fleet-wide TPM clock in ms: strictly increasing across every quote.
  std::atomic<uint64_t> clock_ms{0};
  std::atomic<uint64_t> extras_made{0};  // numbers /tmp/evil-N
};

// The shared transport key's PCR 16 binding on the sha256 bank.
std::string TransportBinding(absl::string_view transport_der);

class VirtualAgent {
 public:
  // Makes the keys and certificates. `index` is 1-based; the id is
  // `sim-<prefix>-<index, 5 digits at least>`. INVALID_ARGUMENT when the id
  // is not a valid agent id (lib/identity).
  static absl::StatusOr<std::unique_ptr<VirtualAgent>> Create(
      uint64_t index, const std::string& prefix, const SimCa& ca,
      FleetContext* fleet);

  uint64_t index() const { return index_; }
  const std::string& id() const { return identity_.agent_id(); }
  const v1::AgentIdentity& identity() const { return identity_; }
  const std::string& tls_cert_pem() const { return tls_cert_pem_; }
  const crypto::SecretBytes& tls_key_pem() const { return tls_key_pem_; }
  // Drops the TLS private key PEM once the server holds it.
  void ForgetTlsKey() { tls_key_pem_ = crypto::SecretBytes(); }

  // The registrar's challenge opened with the software EK.
  // FAILED_PRECONDITION after ForgetEk().
  absl::StatusOr<crypto::SecretBytes> ActivateCredential(
      absl::string_view credential_blob, absl::string_view encrypted_secret);
  // Drops the EK's private key (after enrollment: saves memory).
  void ForgetEk() {
    absl::MutexLock lock(&mu_);
    ek_.key.reset();
  }

  absl::StatusOr<v1::GetIdentityResponse> GetIdentity() const;
  // Errors as AgentService.GetQuote: INVALID_ARGUMENT (nonce, selection),
  // FAILED_PRECONDITION (a bank other than sha256), UNAVAILABLE (stopped).
  absl::StatusOr<v1::Evidence> GetEvidence(const v1::EvidenceRequest& request,
                                           absl::Time now);

  struct TamperedEntry {
    std::string path;
    uint64_t entry = 0;  // its 0-based index in this agent's log
  };
  absl::StatusOr<TamperedEntry> TamperIma(absl::Time now);
  void TamperQuote() { tamper_quote_ = true; }
  void TamperPcr16() { tamper_pcr16_ = true; }
  bool tampered() const;
  void Stop() { stopped_ = true; }
  void Start() { stopped_ = false; }
  bool stopped() const { return stopped_; }

  // Entries in this agent's IMA log at `now`.
  uint64_t ImaEntries(absl::Time now);

 private:
  VirtualAgent(uint64_t index, FleetContext* fleet)
      : index_(index), fleet_(fleet) {}
  uint64_t SharedCount(absl::Time now) const;
  // Line `j` of this agent's log, and its PCR-10 extend value.
  const ImaLine& LineLocked(uint64_t j) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // PCR 10 after `total` entries of this agent's log.
  std::string Pcr10Locked(uint64_t shared, uint64_t total)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t index_;
  FleetContext* const fleet_;
  v1::AgentIdentity identity_;
  std::string boot_id_;
  SimEk ek_ ABSL_GUARDED_BY(mu_);
  SimAk ak_;
  std::string tls_cert_pem_;
  crypto::SecretBytes tls_key_pem_;
  std::atomic<bool> stopped_{false}, tamper_quote_{false}, tamper_pcr16_{false};

  mutable absl::Mutex mu_;
  struct Extra {
    uint64_t pos;  // index in this agent's log
    ImaLine line;
  };
  std::vector<Extra> extras_ ABSL_GUARDED_BY(mu_);  // ascending pos
  uint64_t cache_len_ ABSL_GUARDED_BY(mu_) = 0;     // PCR 10 after cache_len_
  std::string cache_pcr10_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::agent_sim

#endif  // CANDOR_TOOLS_AGENT_SIM_VIRTUAL_AGENT_H_
