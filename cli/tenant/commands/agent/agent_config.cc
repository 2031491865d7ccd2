#include "cli/tenant/commands/agent/agent_config.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "cli/tenant/proto_format.h"
#include "nlohmann/json.hpp"

namespace candor::tenant {
namespace {

bool Given(const CLI::Option* o) { return o != nullptr && o->count() > 0; }

absl::Status Invalid(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::StatusOr<uint32_t> ParsePcrIndex(absl::string_view where,
                                       absl::string_view text) {
  uint32_t pcr = 0;
  if (!absl::SimpleAtoi(text, &pcr) || pcr > 23 ||
      absl::StripAsciiWhitespace(text) != text || text.empty()) {
    return Invalid(where, absl::StrCat("'", text, "' is not a PCR index 0-23"));
  }
  return pcr;
}

absl::StatusOr<std::string> ReadWholeFile(absl::string_view flag,
                                          const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(flag, " ", path, ": cannot open the file"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": read error"));
  }
  return ss.str();
}

}  // namespace

void AddAgentConfigOptions(CLI::App* cmd, AgentConfigFlags* f) {
  f->address_opt = cmd->add_option(
      "--address", f->address,
      "Reach the agent at HOST:PORT instead of its registered address");
  f->runtime_policy_opt = cmd->add_option(
      "--runtime-policy", f->runtime_policy,
      "Runtime (IMA) policy NAME[@VERSION] (no @VERSION: follow the latest; "
      "\"\": none)");
  f->boot_policy_opt =
      cmd->add_option("--boot-policy", f->boot_policy,
                      "Boot policy NAME[@VERSION] (\"\": none)");
  f->quote_interval_opt = cmd->add_option(
      "--quote-interval", f->quote_interval,
      "Pause between attestation cycles, e.g. 2s, 500ms, 1m (0: the "
      "verifier's default)");
  f->pcr_policy_opt = cmd->add_option(
      "--pcr-policy", f->pcr_policy_file,
      "Static PCR policy, a JSON file {\"sha256\": {\"15\": [\"hex\", ...]}}");
  f->pcrs_opt = cmd->add_option(
      "--pcrs", f->pcrs,
      "PCRs to quote, BANK:I,J,... e.g. sha256:0,1,10 (repeat per bank)");
  f->pcrs_opt->allow_extra_args(false);
  f->metadata_opt =
      cmd->add_option("--metadata", f->metadata,
                      "Label KEY=VALUE (repeatable; replaces all labels)");
  f->metadata_opt->allow_extra_args(false);
}

absl::StatusOr<v1::PolicyRef> ParsePolicyRef(absl::string_view flag,
                                             absl::string_view text) {
  v1::PolicyRef ref;
  std::pair<std::string, std::string> parts =
      absl::StrSplit(text, absl::MaxSplits('@', 1));
  ref.set_name(parts.first);
  if (text.find('@') != absl::string_view::npos) {
    uint32_t version = 0;
    if (parts.first.empty() || !absl::SimpleAtoi(parts.second, &version) ||
        version == 0) {
      return Invalid(flag, absl::StrCat("'", text,
                                        "' is not NAME or NAME@VERSION "
                                        "(VERSION a number from 1)"));
    }
    ref.set_version(version);
  }
  return ref;
}

absl::StatusOr<google::protobuf::Duration> ParseInterval(
    absl::string_view flag, absl::string_view text) {
  absl::Duration d;
  if (!absl::ParseDuration(std::string(text), &d) ||
      d == absl::InfiniteDuration()) {
    return Invalid(flag, absl::StrCat("'", text,
                                      "' is not a duration (e.g. 2s, 500ms, "
                                      "1m30s)"));
  }
  if (d < absl::ZeroDuration()) {
    return Invalid(flag, absl::StrCat("'", text, "' is negative"));
  }
  google::protobuf::Duration out;
  int64_t nanos = absl::ToInt64Nanoseconds(d);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

absl::StatusOr<v1::StaticPcrPolicy> ParseStaticPcrPolicy(
    absl::string_view source, absl::string_view json_text) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return Invalid(source, "not valid JSON");
  if (!doc.is_object()) {
    return Invalid(source,
                   "expected an object {\"BANK\": {\"PCR\": [\"hex\", ...]}}");
  }
  v1::StaticPcrPolicy policy;
  for (const auto& [bank_name, pcrs] : doc.items()) {
    std::string where = absl::StrCat(source, ": ", bank_name);
    absl::StatusOr<v1::HashAlgorithm> bank = ParseBank(bank_name);
    if (!bank.ok()) return Invalid(where, bank.status().message());
    if (!pcrs.is_object()) {
      return Invalid(where, "expected an object {\"PCR\": [\"hex\", ...]}");
    }
    v1::BankPcrPolicy* bp = policy.add_banks();
    bp->set_bank(*bank);
    for (const auto& [pcr_text, digests] : pcrs.items()) {
      std::string pcr_where = absl::StrCat(where, ".", pcr_text);
      absl::StatusOr<uint32_t> pcr = ParsePcrIndex(pcr_where, pcr_text);
      if (!pcr.ok()) return pcr.status();
      if (*pcr == 10 || *pcr == 16) {
        return Invalid(pcr_where,
                       *pcr == 10 ? "PCR 10 is checked by the runtime policy, "
                                    "not a static PCR policy"
                                  : "PCR 16 holds the transport key binding, "
                                    "checked by the verifier itself");
      }
      if (!digests.is_array() || digests.empty()) {
        return Invalid(pcr_where, "expected a non-empty array of hex digests");
      }
      v1::AllowedDigests& allowed = (*bp->mutable_pcrs())[*pcr];
      for (size_t i = 0; i < digests.size(); ++i) {
        std::string item_where = absl::StrCat(pcr_where, "[", i, "]");
        if (!digests[i].is_string()) {
          return Invalid(item_where, "expected a hex string");
        }
        std::string text = digests[i].get<std::string>();
        absl::string_view hex = text;
        absl::ConsumePrefix(&hex, "0x");
        std::string raw;
        if (hex.empty() || hex.size() % 2 != 0 ||
            !std::all_of(hex.begin(), hex.end(), [](char c) {
              return absl::ascii_isxdigit(static_cast<unsigned char>(c));
            })) {
          return Invalid(item_where, absl::StrCat("'", hex, "' is not hex"));
        }
        raw = absl::HexStringToBytes(hex);
        if (raw.size() != BankDigestSize(*bank)) {
          return Invalid(item_where,
                         absl::StrCat(raw.size(), " bytes, a ", bank_name,
                                      " digest has ", BankDigestSize(*bank)));
        }
        allowed.add_digests(raw);
      }
    }
  }
  return policy;
}

absl::StatusOr<std::vector<v1::PcrSelection>> ParsePcrSelections(
    const std::vector<std::string>& specs) {
  std::map<int, std::vector<uint32_t>> by_bank;
  for (const std::string& spec : specs) {
    std::string where = absl::StrCat("--pcrs ", spec);
    std::pair<std::string, std::string> parts =
        absl::StrSplit(spec, absl::MaxSplits(':', 1));
    if (spec.find(':') == std::string::npos || parts.second.empty()) {
      return Invalid(where, "expected BANK:I,J,... e.g. sha256:0,1,10");
    }
    absl::StatusOr<v1::HashAlgorithm> bank = ParseBank(parts.first);
    if (!bank.ok()) return Invalid(where, bank.status().message());
    std::vector<uint32_t>& pcrs = by_bank[*bank];
    if (!pcrs.empty()) return Invalid(where, "bank given twice");
    for (absl::string_view p : absl::StrSplit(parts.second, ',')) {
      absl::StatusOr<uint32_t> pcr = ParsePcrIndex(where, p);
      if (!pcr.ok()) return pcr.status();
      if (std::find(pcrs.begin(), pcrs.end(), *pcr) != pcrs.end()) {
        return Invalid(where, absl::StrCat("PCR ", *pcr, " given twice"));
      }
      pcrs.push_back(*pcr);
    }
  }
  std::vector<v1::PcrSelection> out;
  for (auto& [bank, pcrs] : by_bank) {
    std::sort(pcrs.begin(), pcrs.end());
    v1::PcrSelection sel;
    sel.set_bank(static_cast<v1::HashAlgorithm>(bank));
    for (uint32_t p : pcrs) sel.add_pcrs(p);
    out.push_back(std::move(sel));
  }
  return out;
}

absl::Status ParseMetadata(
    const std::vector<std::string>& pairs,
    google::protobuf::Map<std::string, std::string>* out) {
  for (const std::string& kv : pairs) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Invalid(absl::StrCat("--metadata ", kv), "expected KEY=VALUE");
    }
    std::string key = kv.substr(0, eq);
    if (out->count(key) > 0) {
      return Invalid(absl::StrCat("--metadata ", kv),
                     absl::StrCat("key '", key, "' given twice"));
    }
    (*out)[key] = kv.substr(eq + 1);
  }
  return absl::OkStatus();
}

absl::Status ApplyAgentConfig(const AgentConfigFlags& f, v1::Agent* agent,
                              google::protobuf::FieldMask* mask) {
  auto add_path = [mask](const char* path) {
    if (mask != nullptr) mask->add_paths(path);
  };
  if (Given(f.address_opt)) {
    agent->set_address(f.address);
    add_path("address");
  }
  if (Given(f.quote_interval_opt)) {
    absl::StatusOr<google::protobuf::Duration> d =
        ParseInterval("--quote-interval", f.quote_interval);
    if (!d.ok()) return d.status();
    *agent->mutable_quote_interval() = *d;
    add_path("quote_interval");
  }
  if (Given(f.runtime_policy_opt)) {
    absl::StatusOr<v1::PolicyRef> ref =
        ParsePolicyRef("--runtime-policy", f.runtime_policy);
    if (!ref.ok()) return ref.status();
    *agent->mutable_runtime_policy() = *ref;
    add_path("runtime_policy");
  }
  if (Given(f.boot_policy_opt)) {
    absl::StatusOr<v1::PolicyRef> ref =
        ParsePolicyRef("--boot-policy", f.boot_policy);
    if (!ref.ok()) return ref.status();
    *agent->mutable_boot_policy() = *ref;
    add_path("boot_policy");
  }
  if (Given(f.pcr_policy_opt)) {
    std::string source = absl::StrCat("--pcr-policy ", f.pcr_policy_file);
    absl::StatusOr<std::string> text =
        ReadWholeFile("--pcr-policy", f.pcr_policy_file);
    if (!text.ok()) return text.status();
    absl::StatusOr<v1::StaticPcrPolicy> p = ParseStaticPcrPolicy(source, *text);
    if (!p.ok()) return p.status();
    *agent->mutable_static_pcr_policy() = *p;
    add_path("static_pcr_policy");
  }
  if (Given(f.pcrs_opt)) {
    absl::StatusOr<std::vector<v1::PcrSelection>> sel =
        ParsePcrSelections(f.pcrs);
    if (!sel.ok()) return sel.status();
    agent->clear_pcr_selections();
    for (v1::PcrSelection& s : *sel) *agent->add_pcr_selections() = s;
    add_path("pcr_selections");
  }
  if (Given(f.metadata_opt)) {
    agent->clear_metadata();
    absl::Status s = ParseMetadata(f.metadata, agent->mutable_metadata());
    if (!s.ok()) return s;
    add_path("metadata");
  }
  return absl::OkStatus();
}

}  // namespace candor::tenant
