#include "services/agent/agent_core.h"

#include <openssl/evp.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/metrics/metrics_catalogue.h"
#include "google/protobuf/util/time_util.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/x509.h"
#include "lib/identity/agent_id.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"
#include "lib/common/file_util.h"
#include "services/agent/boot_info.h"

namespace candor::agent {
namespace {

constexpr uint32_t kTransportPcr = 16;
constexpr char kVersion[] = "0.1.0-dev";

const char* EkFileName(tpm::EkType ek) {
  return ek == tpm::EkType::kRsa ? "rsa" : "ecc";
}

// H_bank(data) for the banks Candor knows.
absl::StatusOr<std::string> BankHash(TPM2_ALG_ID bank, absl::string_view data) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(bank));
  return crypto::Digest(md, data);
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(
      absl::ToUnixSeconds(t));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AgentCore>> AgentCore::Create(
    AgentConfig config, std::unique_ptr<tpm::Tpm> tpm) {
  std::unique_ptr<AgentCore> core(
      new AgentCore(std::move(config), std::move(tpm)));
  ABSL_RETURN_IF_ERROR(core->Init());
  return core;
}

absl::Status AgentCore::Init() {
  absl::MutexLock lock(&mu_);
  ABSL_ASSIGN_OR_RETURN(AgentState state, AgentState::Open(config_.state_dir));
  state_ = std::make_unique<AgentState>(std::move(state));
  ABSL_ASSIGN_OR_RETURN(facts_, tpm_->Facts(), _ << "reading TPM facts");

  ABSL_ASSIGN_OR_RETURN(std::string ek_public, tpm_->EkPublic(config_.ek),
                        _ << "reading the " << tpm::EkTypeName(config_.ek)
                          << " EK");
  identity_.set_ek_public(ek_public);
  absl::StatusOr<std::string> ek_cert = tpm_->EkCertificate(config_.ek);
  if (ek_cert.ok()) {
    identity_.set_ek_certificate(*ek_cert);
  } else if (ek_cert.status().code() != absl::StatusCode::kNotFound) {
    return ek_cert.status();
  }
  std::string id = config_.agent_id;
  if (id.empty()) {
    id = identity::DefaultAgentId(ek_public);
  } else {
    ABSL_ASSIGN_OR_RETURN(id, identity::NormalizeAgentId(id),
                          _ << "--agent_id");
  }
  identity_.set_agent_id(id);
  identity_.set_simulated(config_.simulated);

  ABSL_RETURN_IF_ERROR(LoadAkLocked());
  identity_.set_ak_public(ak_.public_area);
  identity_.set_ak_name(ak_.name);

  ABSL_ASSIGN_OR_RETURN(transport_key_, state_->LoadOrCreateTransportKey());
  ABSL_ASSIGN_OR_RETURN(transport_der_,
                        crypto::PublicKeyToDer(transport_key_.get()));
  identity_.set_transport_public_key(transport_der_);

  ABSL_ASSIGN_OR_RETURN(tls_,
                        state_->LoadOrCreateTlsIdentity(id, config_.tls_validity));
  ABSL_ASSIGN_OR_RETURN(crypto::OsslPtr<X509> tls_cert,
                        crypto::ParseCertificate(tls_.cert_pem));
  ABSL_ASSIGN_OR_RETURN(std::string tls_der,
                        crypto::CertificateToDer(tls_cert.get()));
  identity_.set_tls_certificate(tls_der);

  // The expected PCR 16 in every active bank: H_B(0…0 || H_B(transport key)).
  for (TPM2_ALG_ID bank : facts_.pcr_banks) {
    absl::StatusOr<size_t> size = tpm::BankDigestSize(bank);
    if (!size.ok()) continue;  // a bank Candor does not use
    ABSL_ASSIGN_OR_RETURN(std::string digest, BankHash(bank, transport_der_));
    ABSL_ASSIGN_OR_RETURN(std::string value,
                          BankHash(bank, std::string(*size, '\0') + digest));
    expected_pcr16_[bank][kTransportPcr] = value;
  }
  ABSL_RETURN_IF_ERROR(BindTransportKeyLocked());
  ABSL_ASSIGN_OR_RETURN(boot_id_, ReadBootId(config_.boot_id_path));
  return absl::OkStatus();
}

absl::Status AgentCore::LoadAkLocked() {
  const std::string ek = EkFileName(config_.ek);
  ABSL_ASSIGN_OR_RETURN(std::optional<StoredAk> stored, state_->LoadAk(ek));
  if (!stored.has_value()) {
    ABSL_ASSIGN_OR_RETURN(ak_, tpm_->CreateAk(config_.ak, config_.ek),
                          _ << "creating the AK");
    ABSL_RETURN_IF_ERROR(
        state_->SaveAk(ek, StoredAk{ak_.public_area, ak_.private_area}));
  } else {
    ak_.public_area = stored->public_area;
    ak_.private_area = stored->private_area;
    ABSL_ASSIGN_OR_RETURN(TPM2B_PUBLIC pub,
                          tpm::ParseTpm2bPublic(ak_.public_area),
                          _ << "the AK saved in " << config_.state_dir);
    ABSL_ASSIGN_OR_RETURN(ak_.name, tpm::ComputeName(pub.publicArea));
  }
  return tpm_->LoadAk(ak_.public_area, ak_.private_area, config_.ek);
}

absl::Status AgentCore::BindTransportKeyLocked() {
  ABSL_RETURN_IF_ERROR(tpm_->ResetPcr(kTransportPcr))
      << "binding the transport key to PCR 16";
  tpm::PcrDigests digests;
  for (const auto& [bank, unused] : expected_pcr16_) {
    ABSL_ASSIGN_OR_RETURN(digests[bank], BankHash(bank, transport_der_));
  }
  return tpm_->ExtendPcr(kTransportPcr, digests);
}

absl::Status AgentCore::EnsureBootStateLocked() {
  absl::StatusOr<std::string> boot_id = ReadBootId(config_.boot_id_path);
  if (boot_id.ok() && *boot_id != boot_id_) {
    boot_id_ = *boot_id;
    ima_.Reset();
  }
  if (expected_pcr16_.empty()) return absl::OkStatus();
  tpm::PcrSelection sel;
  for (const auto& [bank, unused] : expected_pcr16_) {
    sel.push_back({bank, {kTransportPcr}});
  }
  absl::Time start = absl::Now();
  ABSL_ASSIGN_OR_RETURN(tpm::PcrValues now, tpm_->ReadPcrs(sel));
  Observe(metrics::kTpmPcrRead, start);
  if (now == expected_pcr16_) return absl::OkStatus();
  // The TPM was reset (PCR 16 is zero again) or someone extended PCR 16:
  // bind again. A reset also dropped the loaded AK.
  ABSL_RETURN_IF_ERROR(LoadAkLocked()) << "reloading the AK after a TPM reset";
  return BindTransportKeyLocked();
}

void AgentCore::Observe(absl::string_view command, absl::Time start) const {
  if (config_.metrics != nullptr) {
    config_.metrics->ObserveTpmCommand(
        command, absl::ToDoubleSeconds(absl::Now() - start));
  }
}

absl::StatusOr<tpm::TpmQuote> AgentCore::QuoteLocked(
    const tpm::PcrSelection& sel, absl::string_view nonce) {
  absl::Time start = absl::Now();
  absl::StatusOr<tpm::TpmQuote> quote = tpm_->Quote(sel, nonce);
  Observe(metrics::kTpmQuote, start);
  if (quote.ok() ||
      quote.status().code() == absl::StatusCode::kInvalidArgument ||
      quote.status().code() == absl::StatusCode::kResourceExhausted) {
    return quote;
  }
  // The AK may have been flushed by a TPM reset between our check and the
  // quote: reload once and retry.
  ABSL_RETURN_IF_ERROR(LoadAkLocked()) << "after " << quote.status().message();
  ABSL_RETURN_IF_ERROR(BindTransportKeyLocked());
  return tpm_->Quote(sel, nonce);
}

absl::StatusOr<v1::GetIdentityResponse> AgentCore::GetIdentity() {
  v1::GetIdentityResponse resp;
  *resp.mutable_identity() = identity_;
  ABSL_ASSIGN_OR_RETURN(std::string boot_id, ReadBootId(config_.boot_id_path));
  resp.set_boot_id(boot_id);
  absl::StatusOr<absl::Time> boot_time = ReadBootTime(config_.proc_stat_path);
  if (boot_time.ok()) *resp.mutable_boot_time() = ToProto(*boot_time);
  v1::TpmInfo* info = resp.mutable_tpm();
  info->set_manufacturer(facts_.manufacturer);
  info->set_vendor_string(facts_.vendor);
  info->set_firmware_version(facts_.firmware_version);
  for (TPM2_ALG_ID bank : facts_.pcr_banks) {
    absl::StatusOr<v1::HashAlgorithm> alg = convert::BankToProto(bank);
    if (alg.ok()) info->add_active_pcr_banks(*alg);
  }
  for (TPM2_ALG_ID alg : facts_.algorithms) info->add_algorithm_ids(alg);
  resp.set_agent_version(kVersion);
  return resp;
}

absl::StatusOr<v1::Evidence> AgentCore::GetEvidence(
    const v1::EvidenceRequest& request) {
  if (request.nonce().size() < 20 || request.nonce().size() > 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "nonce is ", request.nonce().size(), " bytes; it must be 20 to 32"));
  }
  ABSL_ASSIGN_OR_RETURN(tpm::PcrSelection sel,
                        convert::SelectionFromProto(request.pcr_selections()));
  bool any = false, ima = false;
  for (const tpm::BankSelection& b : sel) {
    any = any || !b.pcrs.empty();
    for (uint32_t pcr : b.pcrs) ima = ima || pcr == 10;
  }
  if (!any) return absl::InvalidArgumentError("pcr_selections selects no PCR");

  v1::Evidence ev;
  {
    absl::MutexLock lock(&mu_);
    ABSL_RETURN_IF_ERROR(EnsureBootStateLocked());
    ABSL_ASSIGN_OR_RETURN(tpm::TpmQuote quote, QuoteLocked(sel, request.nonce()));
    v1::Quote* q = ev.mutable_quote();
    q->set_attest(std::move(quote.attest));
    q->set_signature(std::move(quote.signature));
    ABSL_ASSIGN_OR_RETURN(*q->mutable_pcr_values(),
                          convert::ValuesToProto(quote.pcrs));
    ev.set_boot_id(boot_id_);
  }
  // The IMA log is read after the quote: it may hold more entries than the
  // quote covers (the verifier's replay stops at the quoted value), never
  // fewer.
  if (ima) {
    uint32_t max = request.max_entries() != 0 ? request.max_entries()
                                              : config_.default_max_entries;
    ABSL_ASSIGN_OR_RETURN(
        ImaPage page,
        ima_.Read(request.ima_start_entry(), max, config_.max_ima_bytes));
    v1::ImaEntries* e = ev.mutable_ima_entries();
    e->set_start_entry(page.start_entry);
    for (std::string& line : page.lines) e->add_lines(std::move(line));
    e->set_more(page.more);
    e->set_total_entries(page.total_entries);
    e->set_log_missing(page.log_missing);
    e->set_restarted_from_zero(page.restarted_from_zero);
  }
  if (request.want_boot_log()) {
    absl::StatusOr<std::string> log = ReadFile(config_.boot_log_path);
    if (log.ok()) {
      ev.set_boot_log(std::move(*log));
    } else if (log.status().code() == absl::StatusCode::kNotFound) {
      ev.set_boot_log_missing(true);
    } else {
      return log.status();
    }
  }
  absl::StatusOr<absl::Time> boot_time = ReadBootTime(config_.proc_stat_path);
  if (boot_time.ok()) *ev.mutable_boot_time() = ToProto(*boot_time);
  return ev;
}

absl::StatusOr<crypto::SecretBytes> AgentCore::ActivateCredential(
    absl::string_view credential_blob, absl::string_view encrypted_secret) {
  absl::MutexLock lock(&mu_);
  ABSL_RETURN_IF_ERROR(EnsureBootStateLocked());
  absl::Time start = absl::Now();
  absl::StatusOr<crypto::SecretBytes> credential =
      tpm_->ActivateCredential(credential_blob, encrypted_secret, config_.ek);
  Observe(metrics::kTpmActivateCredential, start);
  return credential;
}

}  // namespace candor::agent
