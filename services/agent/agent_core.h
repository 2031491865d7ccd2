// File: services/agent/agent_core.h
//
// The agent's domain logic, behind the gRPC adapter: its identity (EK, EK
// certificate, AK, transport key, TLS certificate, agent id) and the evidence
// for one attestation cycle (a quote with the PCR values it covers, a page of
// the IMA log, the UEFI event log, boot id and time).
//
// At Create() the agent loads its AK from the state directory (creating and
// saving one on first start) and binds its transport key to the TPM: PCR 16 is
// reset and extended once, in every active bank B, with H_B(transport public
// key DER), so every quote covers it (DESIGN.md "Secure payload"). Before each
// quote it checks that binding and the loaded AK, and redoes them after a TPM
// reset (a reboot, or the reboot simulator). A boot id change restarts the
// IMA log reader.
//
// Thread-safe: TPM use is serialized by an internal mutex.
#ifndef CANDOR_SERVICES_AGENT_AGENT_CORE_H_
#define CANDOR_SERVICES_AGENT_AGENT_CORE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "candor/v1/agent.pb.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/crypto/secret.h"
#include "lib/metrics/component_metrics.h"
#include "lib/tpm/tpm.h"
#include "services/agent/agent_state.h"
#include "services/agent/ima_log_reader.h"

namespace candor::agent {

struct AgentConfig {
  std::string agent_id;  // empty: the EK hash (lib/identity/agent_id.h)
  tpm::EkType ek = tpm::EkType::kRsa;
  tpm::AkType ak = tpm::AkType::kRsa2048;
  std::string state_dir = "/var/lib/candor/agent";
  std::string ima_log_path =
      "/sys/kernel/security/ima/ascii_runtime_measurements";
  std::string boot_log_path =
      "/sys/kernel/security/tpm0/binary_bios_measurements";
  std::string boot_id_path = "/proc/sys/kernel/random/boot_id";
  std::string proc_stat_path = "/proc/stat";
  uint32_t default_max_entries = 10000;
  size_t max_ima_bytes = 64 * 1024 * 1024;
  absl::Duration tls_validity = absl::Hours(24 * 365);
  bool simulated = false;  // set by the load simulator only
  metrics::AgentMetrics* metrics = nullptr;  // TPM command latency; not owned
};

class AgentCore {
 public:
  // Opens the state directory and sets up the identity and the PCR 16
  // binding. Errors name what failed (state directory, TPM call, EK).
  static absl::StatusOr<std::unique_ptr<AgentCore>> Create(
      AgentConfig config, std::unique_ptr<tpm::Tpm> tpm);

  const std::string& agent_id() const { return identity_.agent_id(); }
  // What the agent registers: EK, EK certificate, AK, transport key, TLS cert.
  const v1::AgentIdentity& identity() const { return identity_; }
  const TlsIdentity& tls() const { return tls_; }
  // The transport private key (U and V shares are encrypted to it). Owned by
  // the core; valid for its lifetime; safe to use from several threads.
  EVP_PKEY* transport_key() const { return transport_key_.get(); }
  const std::string& state_dir() const { return config_.state_dir; }

  absl::StatusOr<v1::GetIdentityResponse> GetIdentity();

  // One cycle's evidence (GetQuote). Errors as the AgentService.GetQuote
  // contract lists them.
  absl::StatusOr<v1::Evidence> GetEvidence(const v1::EvidenceRequest& request);

  // TPM2_ActivateCredential of a registrar challenge with the loaded AK.
  absl::StatusOr<crypto::SecretBytes> ActivateCredential(
      absl::string_view credential_blob, absl::string_view encrypted_secret);

 private:
  AgentCore(AgentConfig config, std::unique_ptr<tpm::Tpm> tpm)
      : config_(std::move(config)),
        tpm_(std::move(tpm)),
        ima_(config_.ima_log_path) {}
  absl::Status Init();
  absl::Status LoadAkLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status BindTransportKeyLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Re-binds PCR 16 and reloads the AK when the TPM was reset; restarts the
  // IMA reader when the boot id changed.
  absl::Status EnsureBootStateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the TPM command's latency since `start` when metrics are on.
  void Observe(absl::string_view command, absl::Time start) const;
  absl::StatusOr<tpm::TpmQuote> QuoteLocked(const tpm::PcrSelection& sel,
                                            absl::string_view nonce)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AgentConfig config_;
  absl::Mutex mu_;
  std::unique_ptr<tpm::Tpm> tpm_ ABSL_GUARDED_BY(mu_);
  ImaLogReader ima_;
  std::unique_ptr<AgentState> state_;
  v1::AgentIdentity identity_;
  TlsIdentity tls_;
  tpm::AkBlobs ak_;
  tpm::TpmFacts facts_;
  std::string transport_der_;
  crypto::OsslPtr<EVP_PKEY> transport_key_;
  tpm::PcrValues expected_pcr16_;  // bank -> {16: value}
  std::string boot_id_ ABSL_GUARDED_BY(mu_);
};

}  // namespace candor::agent

#endif  // CANDOR_SERVICES_AGENT_AGENT_CORE_H_
