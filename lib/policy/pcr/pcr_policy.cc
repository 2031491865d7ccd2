#include "lib/policy/pcr/pcr_policy.h"

#include <simdjson.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/convert/pcr_convert.h"
#include "lib/failure/catalogue.h"
#include "nlohmann/json.hpp"

namespace candor::policy {
namespace {

constexpr size_t kMaxPcrPolicyBytes = 1 << 20;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("PCR policy: ", field, ": ", why));
}

absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

bool IsPcrKey(absl::string_view key) {
  return !key.empty() && key.size() <= 2 &&
         key.find_first_not_of("0123456789") == absl::string_view::npos;
}

absl::Status CheckPcr(uint32_t pcr, absl::string_view field) {
  if (pcr > 23) return Invalid(field, "PCR index above 23");
  if (pcr == 10) {
    return Invalid(field, "PCR 10 is checked by IMA replay, not a PCR policy");
  }
  if (pcr == 16) {
    return Invalid(field, "PCR 16 holds the transport key, checked on its own");
  }
  return absl::OkStatus();
}

absl::Status AddValue(TPM2_ALG_ID bank, absl::string_view hex,
                      absl::string_view field, std::set<std::string>* out) {
  size_t size = *tpm::BankDigestSize(bank);
  if (absl::StartsWith(hex, "0x") || absl::StartsWith(hex, "0X")) {
    hex.remove_prefix(2);
  }
  if (hex.size() != 2 * size) {
    return Invalid(field,
                   absl::StrCat("is ", hex.size(), " hex digits, a ",
                                tpm::BankName(bank), " value has ", 2 * size));
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(c)) return Invalid(field, "is not hex");
  }
  out->insert(absl::HexStringToBytes(hex));
  return absl::OkStatus();
}

// {"15": [...], ...} of one bank; keys other than PCR numbers are skipped
// by the caller.
absl::Status AddPcr(TPM2_ALG_ID bank, absl::string_view key,
                    simdjson::dom::element value, absl::string_view prefix,
                    PcrPolicy::Allowed* allowed) {
  std::string field = absl::StrCat(prefix, key);
  uint32_t pcr = 0;
  if (!absl::SimpleAtoi(key, &pcr)) return Invalid(field, "not a PCR number");
  absl::Status st = CheckPcr(pcr, field);
  if (!st.ok()) return st;
  simdjson::dom::array arr;
  if (value.get_array().get(arr) != simdjson::SUCCESS) {
    return Invalid(field, "is not a list of hex values");
  }
  std::set<std::string>& values = (*allowed)[bank][pcr];
  size_t i = 0;
  for (simdjson::dom::element item : arr) {
    std::string_view hex;
    std::string sub = absl::StrCat(field, "[", i++, "]");
    if (item.get_string().get(hex) != simdjson::SUCCESS) {
      return Invalid(sub, "is not a string");
    }
    st = AddValue(bank, View(hex), sub, &values);
    if (!st.ok()) return st;
  }
  if (values.empty()) return Invalid(field, "allows no value");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PcrPolicy> PcrPolicy::Parse(absl::string_view json) {
  if (json.size() > kMaxPcrPolicyBytes) {
    return Invalid("document", "larger than 1 MiB");
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::object obj;
  if (auto err = parser.parse(padded).get_object().get(obj);
      err != simdjson::SUCCESS) {
    return Invalid("document", absl::StrCat("not a JSON object: ",
                                            simdjson::error_message(err)));
  }
  TPM2_ALG_ID default_bank = TPM2_ALG_SHA256;
  std::string_view bank_name;
  if (obj["bank"].get_string().get(bank_name) == simdjson::SUCCESS) {
    absl::StatusOr<TPM2_ALG_ID> b = tpm::ParseBankName(View(bank_name));
    if (!b.ok()) return Invalid("bank", b.status().message());
    default_bank = *b;
  } else if (obj["bank"].error() != simdjson::NO_SUCH_FIELD) {
    return Invalid("bank", "is not a string");
  }
  Allowed allowed;
  for (auto [k, value] : obj) {
    absl::string_view key = View(k);
    if (key == "bank" || key == "mask") continue;
    if (IsPcrKey(key)) {
      absl::Status st = AddPcr(default_bank, key, value, "", &allowed);
      if (!st.ok()) return st;
      continue;
    }
    absl::StatusOr<TPM2_ALG_ID> bank = tpm::ParseBankName(key);
    simdjson::dom::object pcrs;
    if (!bank.ok() || value.get_object().get(pcrs) != simdjson::SUCCESS) {
      return Invalid(key,
                     "is neither a PCR number nor a bank name with an "
                     "object of PCRs");
    }
    for (auto [pk, pv] : pcrs) {
      absl::Status st =
          AddPcr(*bank, View(pk), pv, absl::StrCat(key, "."), &allowed);
      if (!st.ok()) return st;
    }
  }
  return PcrPolicy(std::move(allowed));
}

absl::StatusOr<PcrPolicy> PcrPolicy::FromProto(
    const candor::v1::StaticPcrPolicy& proto) {
  Allowed allowed;
  for (int i = 0; i < proto.banks_size(); ++i) {
    const auto& b = proto.banks(i);
    std::string field = absl::StrCat("banks[", i, "]");
    absl::StatusOr<TPM2_ALG_ID> bank = convert::BankFromProto(b.bank());
    if (!bank.ok()) return Invalid(field, bank.status().message());
    if (allowed.count(*bank) > 0) return Invalid(field, "bank listed twice");
    auto& pcrs = allowed[*bank];
    size_t size = *tpm::BankDigestSize(*bank);
    for (const auto& [pcr, digests] : b.pcrs()) {
      std::string sub = absl::StrCat(field, ".pcrs[", pcr, "]");
      absl::Status st = CheckPcr(pcr, sub);
      if (!st.ok()) return st;
      for (int j = 0; j < digests.digests_size(); ++j) {
        if (digests.digests(j).size() != size) {
          return Invalid(absl::StrCat(sub, ".digests[", j, "]"),
                         absl::StrCat("is ", digests.digests(j).size(),
                                      " bytes, expected ", size));
        }
        pcrs[pcr].insert(digests.digests(j));
      }
      if (pcrs[pcr].empty()) return Invalid(sub, "allows no value");
    }
  }
  return PcrPolicy(std::move(allowed));
}

candor::v1::StaticPcrPolicy PcrPolicy::ToProto() const {
  candor::v1::StaticPcrPolicy out;
  for (const auto& [bank, pcrs] : allowed_) {
    auto* b = out.add_banks();
    absl::StatusOr<candor::v1::HashAlgorithm> alg = convert::BankToProto(bank);
    b->set_bank(alg.ok() ? *alg : candor::v1::HASH_ALGORITHM_UNSPECIFIED);
    for (const auto& [pcr, values] : pcrs) {
      auto& d = (*b->mutable_pcrs())[pcr];
      for (const std::string& v : values) d.add_digests(v);
    }
  }
  return out;
}

std::string PcrPolicy::ToJson() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [bank, pcrs] : allowed_) {
    nlohmann::ordered_json b = nlohmann::ordered_json::object();
    for (const auto& [pcr, values] : pcrs) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const std::string& v : values)
        list.push_back(absl::BytesToHexString(v));
      b[absl::StrCat(pcr)] = list;
    }
    j[tpm::BankName(bank)] = b;
  }
  return j.dump(2) + "\n";
}

tpm::PcrSelection PcrPolicy::Selection() const {
  tpm::PcrSelection out;
  for (const auto& [bank, pcrs] : allowed_) {
    tpm::BankSelection s;
    s.bank = bank;
    for (const auto& entry : pcrs) s.pcrs.push_back(entry.first);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<candor::v1::Failure> PcrPolicy::Evaluate(
    const tpm::PcrValues& quoted) const {
  std::vector<candor::v1::Failure> out;
  for (const auto& [bank, pcrs] : allowed_) {
    std::string bank_name = tpm::BankName(bank);
    auto qb = quoted.find(bank);
    for (const auto& [pcr, values] : pcrs) {
      std::string p = absl::StrCat(pcr);
      const std::string* got = nullptr;
      if (qb != quoted.end()) {
        auto it = qb->second.find(pcr);
        if (it != qb->second.end()) got = &it->second;
      }
      if (got == nullptr) {
        out.push_back(failure::MakeFailure(
            failure::kPcrMissing,
            absl::StrCat("PCR ", pcr, " (", bank_name,
                         ") is in the static "
                         "PCR policy but not in the quote"),
            {{"pcr", p}, {"bank", bank_name}}));
      } else if (values.count(*got) == 0) {
        std::string hex = absl::BytesToHexString(*got);
        out.push_back(failure::MakeFailure(
            failure::kPcrPolicyMismatch,
            absl::StrCat("PCR ", pcr, " (", bank_name, ") is ", hex,
                         ", which the static PCR policy does not allow"),
            {{"pcr", p}, {"bank", bank_name}, {"got", hex}}));
      }
    }
  }
  return out;
}

}  // namespace candor::policy
