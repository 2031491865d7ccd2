#include "tools/agent_sim/virtual_agent.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/time_util.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/x509.h"
#include "lib/identity/agent_id.h"
#include "lib/pki/pki.h"
#include "lib/status/status_macros.h"
#include "tools/agent_sim/sim_quote.h"
#include "lib/tpm/software_credential.h"

namespace candor::agent_sim {
namespace {

constexpr uint32_t kDefaultMaxEntries = 10000;
constexpr size_t kMaxImaBytes = 64 * 1024 * 1024;
constexpr char kVersion[] = "0.1.0-dev (agent-sim)";

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(t));
}

// A lowercase UUID (version 4 layout) derived from `seed`.
std::string UuidFrom(absl::string_view seed) {
  std::string h = crypto::Sha256(seed).substr(0, 16);
  h[6] = static_cast<char>((h[6] & 0x0f) | 0x40);
  h[8] = static_cast<char>((h[8] & 0x3f) | 0x80);
  const std::string x = absl::BytesToHexString(h);
  return absl::StrCat(x.substr(0, 8), "-", x.substr(8, 4), "-", x.substr(12, 4),
                      "-", x.substr(16, 4), "-", x.substr(20));
}

}  // namespace

std::string TransportBinding(absl::string_view transport_der) {
  return crypto::Sha256(
      absl::StrCat(std::string(32, '\0'), crypto::Sha256(transport_der)));
}

absl::StatusOr<std::unique_ptr<VirtualAgent>> VirtualAgent::Create(
    uint64_t index, const std::string& prefix, const SimCa& ca,
    FleetContext* fleet) {
  std::unique_ptr<VirtualAgent> a(new VirtualAgent(index, fleet));
  const std::string id =
      absl::StrCat("sim-", prefix, "-", absl::StrFormat("%05u", index));
  ABSL_RETURN_IF_ERROR(identity::ValidateAgentId(id))
      << "agent id from --id_prefix";
  ABSL_ASSIGN_OR_RETURN(a->ek_, SimEk::Generate());
  ABSL_ASSIGN_OR_RETURN(a->ak_, SimAk::Generate());
  ABSL_ASSIGN_OR_RETURN(std::string ek_cert,
                        ca.IssueEkCertificate(a->ek_.key.get(), id));
  ABSL_ASSIGN_OR_RETURN(pki::PemPair tls,
                        pki::MakeAgentCertificate(id, absl::Hours(24 * 365)));
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<X509> cert,
                        crypto::ParseCertificate(tls.cert_pem));
  ABSL_ASSIGN_OR_RETURN(std::string tls_der,
                        crypto::CertificateToDer(cert.get()));
  a->tls_cert_pem_ = std::move(tls.cert_pem);
  a->tls_key_pem_ = std::move(tls.key_pem);
  v1::AgentIdentity& idn = a->identity_;
  idn.set_agent_id(id);
  idn.set_ek_public(a->ek_.tpm2b_public);
  idn.set_ek_certificate(ek_cert);
  idn.set_ak_public(a->ak_.tpm2b_public);
  idn.set_ak_name(a->ak_.name);
  idn.set_transport_public_key(fleet->transport_der);
  idn.set_tls_certificate(tls_der);
  idn.set_simulated(true);
  a->boot_id_ = UuidFrom(absl::StrCat("agent-sim boot ", id));
  return a;
}

absl::StatusOr<crypto::SecretBytes> VirtualAgent::ActivateCredential(
    absl::string_view credential_blob, absl::string_view encrypted_secret) {
  absl::MutexLock lock(&mu_);
  if (ek_.key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent ", id(), " no longer holds its EK private key"));
  }
  return tpm::SoftwareActivateCredential(ek_.key.get(), ek_.pub, ak_.name,
                                       credential_blob, encrypted_secret);
}

absl::StatusOr<v1::GetIdentityResponse> VirtualAgent::GetIdentity() const {
  if (stopped_) {
    return absl::UnavailableError(
        absl::StrCat("agent ", id(), " is stopped (simulator command)"));
  }
  v1::GetIdentityResponse resp;
  *resp.mutable_identity() = identity_;
  resp.set_boot_id(boot_id_);
  *resp.mutable_boot_time() = ToProto(fleet_->start);
  v1::TpmInfo* tpm = resp.mutable_tpm();
  tpm->set_manufacturer("SIM");
  tpm->set_vendor_string("Candor agent-sim");
  tpm->set_firmware_version(kSimFirmwareVersion);
  tpm->add_active_pcr_banks(v1::HASH_ALGORITHM_SHA256);
  for (uint32_t alg :
       {TPM2_ALG_RSA, TPM2_ALG_SHA256, TPM2_ALG_HMAC, TPM2_ALG_AES,
        TPM2_ALG_KEYEDHASH, TPM2_ALG_NULL, TPM2_ALG_RSASSA, TPM2_ALG_OAEP,
        TPM2_ALG_ECDSA, TPM2_ALG_ECDH, TPM2_ALG_ECC, TPM2_ALG_CFB}) {
    tpm->add_algorithm_ids(alg);
  }
  resp.set_agent_version(kVersion);
  return resp;
}

uint64_t VirtualAgent::SharedCount(absl::Time now) const {
  const double minutes =
      std::max(0.0, absl::ToDoubleMinutes(now - fleet_->start));
  return 1 + fleet_->ima_initial +
         static_cast<uint64_t>(
             std::floor(fleet_->ima_growth_per_minute * minutes));
}

uint64_t VirtualAgent::ImaEntries(absl::Time now) {
  absl::ReaderMutexLock lock(&mu_);
  return SharedCount(now) + extras_.size();
}

const ImaLine& VirtualAgent::LineLocked(uint64_t j) const {
  // Extras before j shift the shared index; an extra at j is the line.
  auto it = std::lower_bound(
      extras_.begin(), extras_.end(), j,
      [](const Extra& e, uint64_t pos) { return e.pos < pos; });
  if (it != extras_.end() && it->pos == j) return it->line;
  return fleet_->log->Entry(j - static_cast<uint64_t>(it - extras_.begin()));
}

std::string VirtualAgent::Pcr10Locked(uint64_t shared, uint64_t total) {
  if (extras_.empty()) {
    Digest32 d = fleet_->log->Pcr10After(shared);
    return std::string(d.data(), d.size());
  }
  // cache_len_ is at or after the first extra; lines before it never change.
  while (cache_len_ < total) {
    cache_pcr10_ = crypto::Sha256(
        absl::StrCat(cache_pcr10_, LineLocked(cache_len_).extend));
    ++cache_len_;
  }
  return cache_pcr10_;
}

absl::StatusOr<VirtualAgent::TamperedEntry> VirtualAgent::TamperIma(
    absl::Time now) {
  const uint64_t n = fleet_->extras_made.fetch_add(1) + 1;
  ABSL_ASSIGN_OR_RETURN(ImaLine line, SharedLog::MakeExtra(n));
  absl::MutexLock lock(&mu_);
  const uint64_t shared = SharedCount(now);
  const uint64_t pos = shared + extras_.size();
  if (extras_.empty()) {
    cache_len_ = pos;
    Digest32 d = fleet_->log->Pcr10After(shared);
    cache_pcr10_.assign(d.data(), d.size());
  }
  extras_.push_back(Extra{pos, std::move(line)});
  return TamperedEntry{absl::StrCat("/tmp/evil-", n), pos};
}

bool VirtualAgent::tampered() const {
  absl::ReaderMutexLock lock(&mu_);
  return tamper_quote_ || tamper_pcr16_ || !extras_.empty();
}

absl::StatusOr<v1::Evidence> VirtualAgent::GetEvidence(
    const v1::EvidenceRequest& request, absl::Time now) {
  if (stopped_) {
    return absl::UnavailableError(
        absl::StrCat("agent ", id(), " is stopped (simulator command)"));
  }
  if (request.nonce().size() < 20 || request.nonce().size() > 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "nonce is ", request.nonce().size(), " bytes; it must be 20 to 32"));
  }
  ABSL_ASSIGN_OR_RETURN(tpm::PcrSelection sel,
                        convert::SelectionFromProto(request.pcr_selections()));
  bool any = false, ima = false;
  for (const tpm::BankSelection& b : sel) {
    if (b.bank != TPM2_ALG_SHA256) {
      return absl::FailedPreconditionError(
          absl::StrCat("PCR bank ", tpm::BankName(b.bank),
                       " is not active on this TPM (active: sha256)"));
    }
    any = any || !b.pcrs.empty();
    for (uint32_t pcr : b.pcrs) ima = ima || pcr == 10;
  }
  if (!any) return absl::InvalidArgumentError("pcr_selections selects no PCR");

  v1::Evidence ev;
  absl::MutexLock lock(&mu_);
  const uint64_t shared = SharedCount(now);
  const uint64_t total = shared + extras_.size();
  tpm::PcrValues values;
  for (const tpm::BankSelection& b : sel) {
    tpm::PcrBank& bank = values[b.bank];
    for (uint32_t pcr : b.pcrs) {
      auto boot = fleet_->log->boot_pcrs().find(pcr);
      if (pcr == 10) {
        bank[pcr] = Pcr10Locked(shared, total);
      } else if (pcr == 16) {
        bank[pcr] = tamper_pcr16_ ? fleet_->wrong_pcr16 : fleet_->pcr16;
      } else if (boot != fleet_->log->boot_pcrs().end()) {
        bank[pcr] = boot->second;
      } else {
        bank[pcr] = std::string(32, '\0');
      }
    }
  }
  // A strictly increasing clock across the fleet (so per agent too).
  uint64_t clock = fleet_->clock_ms.load();
  uint64_t next;
  do {
    next = std::max<uint64_t>(
        clock + 1,
        static_cast<uint64_t>(absl::ToInt64Milliseconds(now - fleet_->start)) +
            1000000);
  } while (!fleet_->clock_ms.compare_exchange_weak(clock, next));
  AttestInput in;
  in.signer_name = ak_.name;
  in.nonce = request.nonce();
  in.clock_ms = next;
  in.selection = sel;
  in.values = &values;
  ABSL_ASSIGN_OR_RETURN(std::string attest, MakeQuoteAttest(in));
  const SimAk& signer = tamper_quote_ ? *fleet_->wrong_ak : ak_;
  ABSL_ASSIGN_OR_RETURN(std::string signature, signer.Sign(attest));
  v1::Quote* q = ev.mutable_quote();
  q->set_attest(std::move(attest));
  q->set_signature(std::move(signature));
  ABSL_ASSIGN_OR_RETURN(*q->mutable_pcr_values(),
                        convert::ValuesToProto(values));
  ev.set_boot_id(boot_id_);
  *ev.mutable_boot_time() = ToProto(fleet_->start);

  if (ima) {
    const uint32_t max =
        request.max_entries() != 0 ? request.max_entries() : kDefaultMaxEntries;
    uint64_t start = request.ima_start_entry();
    v1::ImaEntries* e = ev.mutable_ima_entries();
    e->set_total_entries(total);
    if (start > total) {
      start = 0;
      e->set_restarted_from_zero(true);
    }
    e->set_start_entry(start);
    size_t bytes = 0;
    uint64_t j = start;
    for (; j < total; ++j) {
      if (e->lines_size() >= static_cast<int>(max) || bytes >= kMaxImaBytes) {
        break;
      }
      const std::string& line = LineLocked(j).line;
      bytes += line.size() + 1;
      e->add_lines(line);
    }
    e->set_more(j < total);
  }
  if (request.want_boot_log()) ev.set_boot_log(fleet_->log->boot_log());
  return ev;
}

}  // namespace candor::agent_sim
