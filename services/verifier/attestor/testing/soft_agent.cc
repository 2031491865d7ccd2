#include "services/verifier/attestor/testing/soft_agent.h"

#include <openssl/evp.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/keys.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/policy/runtime/excludes.h"
#include "lib/policy/runtime/policy_builder.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"
#include "tools/ima/ima_record.h"

namespace candor::verifier::testing {
namespace {

const std::vector<TPM2_ALG_ID> kBanks = {TPM2_ALG_SHA1, TPM2_ALG_SHA256};

absl::StatusOr<std::string> BankHash(TPM2_ALG_ID bank, absl::string_view d) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(bank));
  return crypto::Digest(md, d);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SoftAgent>> SoftAgent::Create(
    std::string agent_id) {
  std::unique_ptr<SoftAgent> a(new SoftAgent());
  absl::MutexLock lock(&a->mu_);
  tpm::testing::FakeTpm::Options opts;
  opts.banks = kBanks;
  ABSL_ASSIGN_OR_RETURN(a->tpm_, tpm::testing::FakeTpm::Create(opts));
  ABSL_ASSIGN_OR_RETURN(
      tpm::AkBlobs ak,
      a->tpm_->CreateAk(tpm::AkType::kRsa2048, tpm::EkType::kRsa));
  ABSL_RETURN_IF_ERROR(
      a->tpm_->LoadAk(ak.public_area, ak.private_area, tpm::EkType::kRsa));
  a->identity_.set_agent_id(std::move(agent_id));
  a->identity_.set_ak_public(ak.public_area);
  a->identity_.set_ak_name(ak.name);
  crypto::OsslPtr<EVP_PKEY> transport(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (transport == nullptr) return absl::InternalError("transport keygen");
  ABSL_ASSIGN_OR_RETURN(std::string der,
                        crypto::PublicKeyToDer(transport.get()));
  a->identity_.set_transport_public_key(der);
  a->identity_.set_tls_certificate("fake-tls-certificate");
  a->ak_private_ = ak.private_area;
  ABSL_RETURN_IF_ERROR(a->BootLocked());
  return a;
}

absl::Status SoftAgent::BootLocked() {
  // PCR 16 carries the transport key (AgentCore::BindTransportKeyLocked).
  ABSL_RETURN_IF_ERROR(tpm_->ResetPcr(16));
  tpm::PcrDigests digests;
  for (TPM2_ALG_ID bank : kBanks) {
    ABSL_ASSIGN_OR_RETURN(digests[bank],
                          BankHash(bank, identity_.transport_public_key()));
  }
  ABSL_RETURN_IF_ERROR(tpm_->ExtendPcr(16, digests));
  // The IMA log starts with boot_aggregate over PCRs 0-9 (sha256 bank).
  std::vector<uint32_t> boot_pcrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  ABSL_ASSIGN_OR_RETURN(tpm::PcrValues pcrs,
                        tpm_->ReadPcrs({{TPM2_ALG_SHA256, boot_pcrs}}));
  ABSL_ASSIGN_OR_RETURN(tools::ImaRecord agg,
                        tools::MakeBootAggregate(tools::ImaTemplate::kImaNg,
                                                 ima::HashAlgo::kSha256, pcrs));
  ABSL_ASSIGN_OR_RETURN(tpm::PcrExtend ext, tools::Pcr10Extend(agg, kBanks));
  ABSL_RETURN_IF_ERROR(tpm_->ExtendPcr(ext.pcr, ext.digests));
  lines_.clear();
  lines_.push_back(agg.line);
  boot_id_ = absl::StrCat("boot-", ++boots_, "-", identity_.agent_id());
  return absl::OkStatus();
}

absl::Status SoftAgent::Reboot() {
  absl::MutexLock lock(&mu_);
  tpm_->SimulatePowerLoss();
  ABSL_RETURN_IF_ERROR(tpm_->Startup(/*clear=*/true));
  ABSL_RETURN_IF_ERROR(
      tpm_->LoadAk(identity_.ak_public(), ak_private_, tpm::EkType::kRsa));
  return BootLocked();
}

absl::Status SoftAgent::Measure(absl::string_view path,
                                absl::string_view content) {
  ABSL_ASSIGN_OR_RETURN(std::string digest,
                        tools::ImaHash(ima::HashAlgo::kSha256, content));
  ABSL_ASSIGN_OR_RETURN(tools::ImaRecord rec,
                        tools::MakeMeasurement(tools::ImaTemplate::kImaNg, path,
                                               ima::HashAlgo::kSha256, digest));
  ABSL_ASSIGN_OR_RETURN(tpm::PcrExtend ext, tools::Pcr10Extend(rec, kBanks));
  absl::MutexLock lock(&mu_);
  lines_.push_back(rec.line);  // the log before the extend, like the kernel
  return tpm_->ExtendPcr(ext.pcr, ext.digests);
}

std::string SoftAgent::ImaLogText() const {
  absl::MutexLock lock(&mu_);
  return absl::StrCat(absl::StrJoin(lines_, "\n"), "\n");
}

size_t SoftAgent::ima_entries() const {
  absl::MutexLock lock(&mu_);
  return lines_.size();
}

absl::StatusOr<v1::Evidence> SoftAgent::GetEvidence(
    const v1::EvidenceRequest& request) {
  if (request.nonce().size() < 20 || request.nonce().size() > 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "nonce is ", request.nonce().size(), " bytes; it must be 20 to 32"));
  }
  ABSL_ASSIGN_OR_RETURN(tpm::PcrSelection sel,
                        convert::SelectionFromProto(request.pcr_selections()));
  bool want_ima = false;
  for (const tpm::BankSelection& b : sel) {
    for (uint32_t pcr : b.pcrs) want_ima = want_ima || pcr == 10;
  }
  v1::Evidence ev;
  absl::MutexLock lock(&mu_);
  ABSL_ASSIGN_OR_RETURN(tpm::TpmQuote quote, tpm_->Quote(sel, request.nonce()));
  v1::Quote* q = ev.mutable_quote();
  q->set_attest(std::move(quote.attest));
  q->set_signature(std::move(quote.signature));
  ABSL_ASSIGN_OR_RETURN(*q->mutable_pcr_values(),
                        convert::ValuesToProto(quote.pcrs));
  ev.set_boot_id(boot_id_);
  if (want_ima) {
    const uint64_t total = lines_.size();
    uint64_t start = request.ima_start_entry();
    v1::ImaEntries* e = ev.mutable_ima_entries();
    if (start > total) {  // the verifier's state is from an older boot
      start = 0;
      e->set_restarted_from_zero(true);
    }
    const uint64_t max =
        request.max_entries() != 0 ? request.max_entries() : 10000;
    e->set_start_entry(start);
    for (uint64_t i = start; i < total && i - start < max; ++i) {
      e->add_lines(lines_[i]);
    }
    e->set_more(start + e->lines_size() < total);
    e->set_total_entries(total);
  }
  if (request.want_boot_log()) ev.set_boot_log_missing(true);
  return ev;
}

absl::StatusOr<std::string> RuntimePolicyJson(
    absl::string_view ima_log_text,
    const std::vector<std::pair<std::string, std::string>>& allowed) {
  std::string text(ima_log_text);
  for (const auto& [path, content] : allowed) {
    ABSL_ASSIGN_OR_RETURN(std::string digest,
                          tools::ImaHash(ima::HashAlgo::kSha256, content));
    ABSL_ASSIGN_OR_RETURN(
        tools::ImaRecord rec,
        tools::MakeMeasurement(tools::ImaTemplate::kImaNg, path,
                               ima::HashAlgo::kSha256, digest));
    absl::StrAppend(&text, rec.line, "\n");
  }
  policy::PolicyBuilder builder;
  policy::CreateStats stats;
  ABSL_RETURN_IF_ERROR(
      policy::AddImaLog(text, policy::ExcludeList(), &builder, &stats));
  return builder.ToJson(absl::UnixEpoch());
}

}  // namespace candor::verifier::testing
