// File: services/verifier/attestor/testing/soft_agent.h
//
// Testonly. An agent's evidence side in software, for the attestation loop's
// unit tests: a FakeTpm (lib/tpm/testing) with an RSA AK, PCR 16 bound to a
// transport key as AgentCore binds it (H_B(transport key DER) extended into
// the reset PCR 16 of every bank), and an IMA log kept in memory whose
// entries (tools/ima records: boot_aggregate first, then measurements) are
// extended into PCR 10 of every bank as a kernel >= 5.8 does.
//
// GetEvidence answers like services/agent AgentCore::GetEvidence: it checks
// the nonce size and selection, quotes, then returns the IMA page asked for
// (start_entry, at most max_entries lines, `more`, total_entries) when PCR
// 10 is selected (a start past the end answers from entry 0 with
// restarted_from_zero, like services/agent ImaLogReader), and
// boot_log_missing when the boot log is asked for.
// (AgentCore itself is private to services/agent; its GetEvidence can be
// plugged into FakeAgentConnector the same way once it is visible.)
//
// Thread-safe (one mutex around the TPM and the log).
#ifndef CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_SOFT_AGENT_H_
#define CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_SOFT_AGENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "candor/v1/common.pb.h"
#include "candor/v1/verifier.pb.h"
#include "lib/tpm/testing/fake_tpm.h"

namespace candor::verifier::testing {

class SoftAgent {
 public:
  // A new agent `agent_id` with a fresh TPM whose IMA log holds only the
  // boot_aggregate entry.
  static absl::StatusOr<std::unique_ptr<SoftAgent>> Create(
      std::string agent_id);

  const std::string& agent_id() const { return identity_.agent_id(); }
  // AK public, transport key, a placeholder TLS certificate.
  const v1::AgentIdentity& identity() const { return identity_; }

  // Appends an ima-ng measurement of `path` (sha256 of `content`) to the log
  // and extends PCR 10 to match.
  absl::Status Measure(absl::string_view path, absl::string_view content);
  // A reboot: TPM power loss and Startup(clear), the AK loaded again, PCR 16
  // bound again, a new boot id and a new IMA log (boot_aggregate only).
  absl::Status Reboot();
  // The log as ascii_runtime_measurements text, and its entry count.
  std::string ImaLogText() const;
  size_t ima_entries() const;

  // AgentService.GetQuote's evidence (see the file comment).
  absl::StatusOr<v1::Evidence> GetEvidence(const v1::EvidenceRequest& request);

 private:
  SoftAgent() = default;
  // PCR 16 binding and a fresh IMA log on the current PCRs.
  absl::Status BootLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::unique_ptr<tpm::testing::FakeTpm> tpm_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  v1::AgentIdentity identity_;
  std::string ak_private_;
  int boots_ ABSL_GUARDED_BY(mu_) = 0;
  std::string boot_id_ ABSL_GUARDED_BY(mu_);
};

// A runtime policy (Keylime JSON) allowing every entry of `ima_log_text`
// and the extra `allowed` paths with the sha256 of their contents.
absl::StatusOr<std::string> RuntimePolicyJson(
    absl::string_view ima_log_text,
    const std::vector<std::pair<std::string, std::string>>& allowed = {});

}  // namespace candor::verifier::testing

#endif  // CANDOR_SERVICES_VERIFIER_ATTESTOR_TESTING_SOFT_AGENT_H_
