#include "services/verifier/attestor/agent_plan.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/convert/pcr_convert.h"
#include "lib/crypto/digest.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"

namespace candor::verifier {
namespace {

absl::StatusOr<std::string> BankHash(TPM2_ALG_ID bank, absl::string_view data) {
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(bank));
  return crypto::Digest(md, data);
}

}  // namespace

absl::StatusOr<AgentPlan> MakeAgentPlan(const AgentRecord& record,
                                        TPM2_ALG_ID ima_bank) {
  const v1::Agent& a = record.agent;
  AgentPlan plan;
  ABSL_ASSIGN_OR_RETURN(std::unique_ptr<quote::AkVerifier> ak,
                        quote::AkVerifier::Create(record.identity.ak_public()),
                        _ << "agent " << a.agent_id() << " stored AK");
  plan.ak = std::move(ak);
  if (a.has_static_pcr_policy() && a.static_pcr_policy().banks_size() > 0) {
    ABSL_ASSIGN_OR_RETURN(
        policy::PcrPolicy p,
        policy::PcrPolicy::FromProto(a.static_pcr_policy()),
        _ << "agent " << a.agent_id() << " static_pcr_policy");
    plan.pcr_policy = std::make_shared<const policy::PcrPolicy>(std::move(p));
  }
  // Bank → PCR set, in the order banks are first listed.
  std::vector<std::pair<TPM2_ALG_ID, std::set<uint32_t>>> banks;
  auto bank_entry = [&](TPM2_ALG_ID bank) -> std::set<uint32_t>& {
    for (auto& [b, pcrs] : banks) {
      if (b == bank) return pcrs;
    }
    banks.emplace_back(bank, std::set<uint32_t>{});
    return banks.back().second;
  };
  for (int i = 0; i < a.pcr_selections_size(); ++i) {
    ABSL_ASSIGN_OR_RETURN(TPM2_ALG_ID bank,
                          convert::BankFromProto(a.pcr_selections(i).bank()),
                          _ << "pcr_selections[" << i << "]");
    std::set<uint32_t>& pcrs = bank_entry(bank);
    for (uint32_t p : a.pcr_selections(i).pcrs()) pcrs.insert(p);
  }
  if (banks.empty()) bank_entry(TPM2_ALG_SHA256);
  const bool runtime = !a.runtime_policy().name().empty();
  const bool boot = !a.boot_policy().name().empty();
  if (runtime) bank_entry(ima_bank);
  if (plan.pcr_policy != nullptr) {
    for (const auto& [bank, pcrs] : plan.pcr_policy->allowed()) {
      std::set<uint32_t>& s = bank_entry(bank);
      for (const auto& [pcr, unused] : pcrs) s.insert(pcr);
    }
  }
  for (auto& [bank, pcrs] : banks) {
    pcrs.insert(16);
    if (runtime) pcrs.insert(10);
    if (boot) {
      for (uint32_t p = 0; p <= 9; ++p) pcrs.insert(p);
    }
    plan.selection.push_back(tpm::BankSelection{
        bank, std::vector<uint32_t>(pcrs.begin(), pcrs.end())});
    ABSL_ASSIGN_OR_RETURN(size_t size, tpm::BankDigestSize(bank));
    ABSL_ASSIGN_OR_RETURN(
        std::string key_hash,
        BankHash(bank, record.identity.transport_public_key()));
    ABSL_ASSIGN_OR_RETURN(plan.expected_pcr16[bank],
                          BankHash(bank, std::string(size, '\0') + key_hash));
  }
  return plan;
}

}  // namespace candor::verifier
