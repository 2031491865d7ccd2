#include "lib/policy/boot/reference_state.h"

#include <simdjson.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/tpm/pcr_values.h"
#include "nlohmann/json.hpp"

namespace candor::policy {
namespace {

using simdjson::dom::element;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("reference state: ", field, ": ", why));
}

absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

// "0x" + hex -> raw bytes; `want` is the expected byte count (0: any).
absl::StatusOr<std::string> HexField(element e, const std::string& field,
                                     size_t want) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) {
    return Invalid(field, "is not a string");
  }
  absl::string_view v = View(s);
  if (v.size() < 3 || v[0] != '0' || v[1] != 'x') {
    return Invalid(field, absl::StrCat("'", v.substr(0, 80),
                                       "' is not 0x followed by hex digits"));
  }
  v.remove_prefix(2);
  for (char c : v) {
    if (!absl::ascii_isxdigit(c)) {
      return Invalid(field, "holds a character that is not a hex digit");
    }
  }
  if (v.size() % 2 != 0)
    return Invalid(field, "has an odd number of hex digits");
  if (want != 0 && v.size() != 2 * want) {
    return Invalid(
        field, absl::StrCat("has ", v.size() / 2, " bytes, expected ", want));
  }
  return absl::HexStringToBytes(v);
}

absl::StatusOr<DigestSpec> Digest(element e, const std::string& field) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Invalid(field, "is not an object like {\"sha256\": \"0x...\"}");
  }
  DigestSpec out;
  for (auto [key, value] : obj) {
    std::string sub = absl::StrCat(field, ".", View(key));
    absl::StatusOr<TPM2_ALG_ID> bank = tpm::ParseBankName(View(key));
    if (!bank.ok()) return Invalid(sub, bank.status().message());
    absl::StatusOr<std::string> d =
        HexField(value, sub, *tpm::BankDigestSize(*bank));
    if (!d.ok()) return d.status();
    out[*bank] = *std::move(d);
  }
  if (out.empty()) return Invalid(field, "names no digest");
  return out;
}

template <typename T, typename F>
absl::StatusOr<std::vector<T>> List(element e, const std::string& field,
                                    F parse_item) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) {
    return Invalid(field, "is not a list");
  }
  std::vector<T> out;
  size_t i = 0;
  for (element item : arr) {
    absl::StatusOr<T> v = parse_item(item, absl::StrCat(field, "[", i++, "]"));
    if (!v.ok()) return v.status();
    out.push_back(*std::move(v));
  }
  return out;
}

absl::StatusOr<SignatureSpec> Signature(element e, const std::string& field) {
  std::string_view owner;
  element data;
  if (e.type() != simdjson::dom::element_type::OBJECT) {
    return Invalid(field, "is not an object");
  }
  if (e["SignatureOwner"].get_string().get(owner) != simdjson::SUCCESS) {
    return Invalid(field + ".SignatureOwner", "is missing or not a string");
  }
  if (e["SignatureData"].get(data) != simdjson::SUCCESS) {
    return Invalid(field + ".SignatureData", "is missing");
  }
  absl::StatusOr<eventlog::Guid> g = eventlog::Guid::Parse(View(owner));
  if (!g.ok()) return Invalid(field + ".SignatureOwner", g.status().message());
  absl::StatusOr<std::string> d = HexField(data, field + ".SignatureData", 0);
  if (!d.ok()) return d.status();
  return SignatureSpec{*g, *std::move(d)};
}

absl::StatusOr<ScrtmAndBios> ScrtmEntry(element e, const std::string& field) {
  ScrtmAndBios out;
  element scrtm, fw;
  if (e.type() != simdjson::dom::element_type::OBJECT) {
    return Invalid(field, "is not an object");
  }
  if (e["scrtm"].get(scrtm) == simdjson::SUCCESS) {
    absl::StatusOr<DigestSpec> d = Digest(scrtm, field + ".scrtm");
    if (!d.ok()) return d.status();
    out.scrtm = *std::move(d);
  }
  if (e["platform_firmware"].get(fw) != simdjson::SUCCESS) {
    return Invalid(field + ".platform_firmware", "is missing");
  }
  absl::StatusOr<std::vector<DigestSpec>> blobs =
      List<DigestSpec>(fw, field + ".platform_firmware", Digest);
  if (!blobs.ok()) return blobs.status();
  out.platform_firmware = *std::move(blobs);
  return out;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RE2>> CompileCmdline(
    const std::string& pattern, size_t index) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, opts);
  if (!re->ok()) {
    return Invalid(absl::StrCat("kernels[", index, "].kernel_cmdline"),
                   absl::StrCat("RE2 rejects the regex (", re->error(),
                                "); RE2 has no lookaround or backreferences"));
  }
  return re;
}

namespace {

absl::StatusOr<KernelSpec> ParseKernel(element e, const std::string& field,
                                       bool has_secureboot, size_t index) {
  KernelSpec k;
  if (e.type() != simdjson::dom::element_type::OBJECT) {
    return Invalid(field, "is not an object");
  }
  struct Want {
    const char* key;
    std::string* out;
    bool required;
  } wants[] = {
      {"shim_authcode_sha256", &k.shim_authcode_sha256, true},
      {"grub_authcode_sha256", &k.grub_authcode_sha256, true},
      {"kernel_authcode_sha256", &k.kernel_authcode_sha256, has_secureboot},
      {"vmlinuz_plain_sha256", &k.vmlinuz_plain_sha256, !has_secureboot},
      {"initrd_plain_sha256", &k.initrd_plain_sha256, true},
  };
  for (const Want& w : wants) {
    element v;
    std::string sub = absl::StrCat(field, ".", w.key);
    if (e[w.key].get(v) != simdjson::SUCCESS) {
      if (!w.required) continue;
      return Invalid(sub, has_secureboot
                              ? "is missing"
                              : "is missing (has_secureboot is false)");
    }
    absl::StatusOr<std::string> d = HexField(v, sub, 32);
    if (!d.ok()) return d.status();
    *w.out = *std::move(d);
  }
  std::string_view cmdline;
  if (e["kernel_cmdline"].get_string().get(cmdline) != simdjson::SUCCESS) {
    return Invalid(field + ".kernel_cmdline", "is missing or not a string");
  }
  k.kernel_cmdline = std::string(cmdline);
  absl::StatusOr<std::shared_ptr<const RE2>> re =
      CompileCmdline(k.kernel_cmdline, index);
  if (!re.ok()) return re.status();
  k.kernel_cmdline_re = *std::move(re);
  return k;
}

}  // namespace

absl::StatusOr<ReferenceState> ParseReferenceState(absl::string_view json) {
  if (json.size() > kMaxReferenceStateBytes) {
    return Invalid("document", absl::StrCat(json.size(), " bytes, more than ",
                                            kMaxReferenceStateBytes));
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS) {
    return Invalid("document", absl::StrCat("not valid JSON: ",
                                            simdjson::error_message(err)));
  }
  if (doc.type() != simdjson::dom::element_type::OBJECT) {
    return Invalid("document", "is not a JSON object");
  }
  ReferenceState rs;
  element v;
  if (doc["has_secureboot"].get(v) == simdjson::SUCCESS &&
      v.get_bool().get(rs.has_secureboot) != simdjson::SUCCESS) {
    return Invalid("has_secureboot", "is not true or false");
  }
  if (doc["scrtm_and_bios"].get(v) != simdjson::SUCCESS) {
    return Invalid("scrtm_and_bios", "is missing");
  }
  auto scrtm = List<ScrtmAndBios>(v, "scrtm_and_bios", ScrtmEntry);
  if (!scrtm.ok()) return scrtm.status();
  if (scrtm->empty()) return Invalid("scrtm_and_bios", "is empty");
  rs.scrtm_and_bios = *std::move(scrtm);

  std::pair<const char*, std::vector<SignatureSpec>*> keys[] = {
      {"pk", &rs.pk}, {"kek", &rs.kek}, {"db", &rs.db}, {"dbx", &rs.dbx}};
  for (auto& [name, out] : keys) {
    if (doc[name].get(v) != simdjson::SUCCESS)
      return Invalid(name, "is missing");
    auto sigs = List<SignatureSpec>(v, name, Signature);
    if (!sigs.ok()) return sigs.status();
    *out = *std::move(sigs);
  }
  std::pair<const char*, std::vector<DigestSpec>*> moks[] = {
      {"mokdig", &rs.mokdig}, {"mokxdig", &rs.mokxdig}};
  for (auto& [name, out] : moks) {
    if (doc[name].get(v) != simdjson::SUCCESS)
      return Invalid(name, "is missing");
    auto digests = List<DigestSpec>(v, name, Digest);
    if (!digests.ok()) return digests.status();
    *out = *std::move(digests);
  }
  if (doc["kernels"].get(v) != simdjson::SUCCESS) {
    return Invalid("kernels", "is missing");
  }
  size_t index = 0;
  auto kernels =
      List<KernelSpec>(v, "kernels", [&](element e, const std::string& field) {
        return ParseKernel(e, field, rs.has_secureboot, index++);
      });
  if (!kernels.ok()) return kernels.status();
  if (kernels->empty()) return Invalid("kernels", "is empty");
  rs.kernels = *std::move(kernels);
  return rs;
}

std::string ReferenceStateToJson(const ReferenceState& rs) {
  using Json = nlohmann::ordered_json;
  auto hex = [](const std::string& raw) {
    return "0x" + absl::BytesToHexString(raw);
  };
  auto digest = [&](const DigestSpec& d) {
    Json j = Json::object();
    for (const auto& [bank, value] : d) j[tpm::BankName(bank)] = hex(value);
    return j;
  };
  auto digests = [&](const std::vector<DigestSpec>& ds) {
    Json j = Json::array();
    for (const DigestSpec& d : ds) j.push_back(digest(d));
    return j;
  };
  auto sigs = [&](const std::vector<SignatureSpec>& ss) {
    Json j = Json::array();
    for (const SignatureSpec& s : ss) {
      j.push_back({{"SignatureOwner", s.owner.ToString()},
                   {"SignatureData", hex(s.data)}});
    }
    return j;
  };
  Json out = Json::object();
  out["has_secureboot"] = rs.has_secureboot;
  out["scrtm_and_bios"] = Json::array();
  for (const ScrtmAndBios& s : rs.scrtm_and_bios) {
    Json e = Json::object();
    if (s.scrtm.has_value()) e["scrtm"] = digest(*s.scrtm);
    e["platform_firmware"] = digests(s.platform_firmware);
    out["scrtm_and_bios"].push_back(e);
  }
  out["pk"] = sigs(rs.pk);
  out["kek"] = sigs(rs.kek);
  out["db"] = sigs(rs.db);
  out["dbx"] = sigs(rs.dbx);
  out["mokdig"] = digests(rs.mokdig);
  out["mokxdig"] = digests(rs.mokxdig);
  out["kernels"] = Json::array();
  for (const KernelSpec& k : rs.kernels) {
    Json e = Json::object();
    e["shim_authcode_sha256"] = hex(k.shim_authcode_sha256);
    e["grub_authcode_sha256"] = hex(k.grub_authcode_sha256);
    if (!k.kernel_authcode_sha256.empty()) {
      e["kernel_authcode_sha256"] = hex(k.kernel_authcode_sha256);
    }
    if (!k.vmlinuz_plain_sha256.empty()) {
      e["vmlinuz_plain_sha256"] = hex(k.vmlinuz_plain_sha256);
    }
    e["initrd_plain_sha256"] = hex(k.initrd_plain_sha256);
    e["kernel_cmdline"] = k.kernel_cmdline;
    out["kernels"].push_back(e);
  }
  // Command lines come from logs and may hold bytes that are not UTF-8.
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace candor::policy
