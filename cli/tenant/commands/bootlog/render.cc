#include "cli/tenant/commands/bootlog/render.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/tenant/commands/bootlog/log_input.h"
#include "lib/crypto/digest.h"
#include "lib/eventlog/device_path.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/text.h"
#include "lib/eventlog/uefi.h"

namespace candor::tenant {
namespace {

using eventlog::Event;
using Json = nlohmann::json;

std::string Hex(absl::string_view b) { return absl::BytesToHexString(b); }

std::string PathText(absl::string_view path) {
  absl::StatusOr<std::string> text = eventlog::DevicePathToText(path);
  if (!text.ok()) {
    return absl::StrCat("(", text.status().message(), ": ", Hex(path), ")");
  }
  return Printable(*text);
}

std::string SignatureTypeName(const eventlog::Guid& g) {
  if (g == eventlog::EfiCertX509Guid()) return "X509";
  if (g == eventlog::EfiCertSha256Guid()) return "SHA256";
  return g.ToString();
}

std::string TextOf(absl::string_view data) {
  if (eventlog::LooksLikeAsciiUtf16Le(data)) {
    return eventlog::Utf16LeToUtf8(eventlog::StripUtf16Nuls(data));
  }
  while (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  return std::string(data);
}

bool IsText(absl::string_view s) {
  while (!s.empty() && s.back() == '\0') s.remove_suffix(1);
  if (s.empty()) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

Json VariableJson(const Event& e) {
  const eventlog::UefiVariable& v = *e.variable;
  Json j = {{"guid", v.vendor.ToString()},
            {"name", Printable(v.name)},
            {"size", v.data.size()}};
  const std::string& name = v.name;
  if (name == "SecureBoot" && v.data.size() == 1) {
    j["secure_boot"] = v.data[0] == 1;
    return j;
  }
  if (name == "PK" || name == "KEK" || name == "db" || name == "dbx" ||
      name == "MokList" || name == "MokListX" ||
      (e.type == eventlog::kEvEfiVariableDriverConfig && name == "dbt")) {
    auto lists = eventlog::ParseSignatureLists(v.data);
    if (lists.ok()) {
      Json arr = Json::array();
      for (const eventlog::SignatureList& l : *lists) {
        Json sigs = Json::array();
        for (const eventlog::SignatureData& s : l.signatures) {
          sigs.push_back({{"owner", s.owner.ToString()},
                          {"data", Hex(s.data)},
                          {"data_sha256", Hex(crypto::Sha256(s.data))}});
        }
        arr.push_back(
            {{"type", SignatureTypeName(l.type)}, {"signatures", sigs}});
      }
      j["signature_lists"] = arr;
      return j;
    }
    j["decode_error"] = std::string(lists.status().message());
  } else if (name == "BootOrder") {
    auto order = eventlog::ParseBootOrder(v.data);
    if (order.ok()) {
      Json arr = Json::array();
      for (uint16_t n : *order) arr.push_back(absl::StrFormat("Boot%04X", n));
      j["boot_order"] = arr;
      return j;
    }
  } else if (name.size() == 8 && name.rfind("Boot", 0) == 0) {
    auto opt = eventlog::ParseLoadOption(v.data);
    if (opt.ok()) {
      j["boot_option"] = {{"active", (opt->attributes & 1) != 0},
                          {"description", Printable(opt->description)},
                          {"device_path", PathText(opt->device_path)}};
      return j;
    }
  } else if (IsText(v.data)) {
    j["text"] = Printable(TextOf(v.data));
    return j;
  }
  j["data"] = Hex(v.data);
  return j;
}

}  // namespace

Json SpecIdJson(const eventlog::SpecId& spec) {
  Json algs = Json::array();
  for (const eventlog::SpecIdAlgorithm& a : spec.algorithms) {
    algs.push_back(
        {{"bank", tpm::BankName(a.bank)}, {"digest_size", a.digest_size}});
  }
  return {{"platform_class", spec.platform_class},
          {"spec_version",
           absl::StrCat(spec.spec_version_major, ".", spec.spec_version_minor)},
          {"spec_errata", spec.spec_errata},
          {"uintn_size", spec.uintn_size},
          {"algorithms", algs},
          {"vendor_info", Hex(spec.vendor_info)}};
}

Json EventDetails(const Event& e) {
  Json j = Json::object();
  if (e.variable.has_value()) {
    j["variable"] = VariableJson(e);
  } else if (e.image.has_value()) {
    j["image"] = {{"location", e.image->image_location},
                  {"length", e.image->image_length},
                  {"link_time_address", e.image->link_time_address},
                  {"device_path", PathText(e.image->device_path)}};
  } else if (e.blob.has_value()) {
    j["blob"] = {{"base", absl::StrFormat("0x%x", e.blob->base)},
                 {"length", e.blob->length}};
    if (!e.blob->description.empty()) {
      j["blob"]["description"] = Printable(e.blob->description);
    }
  } else if (e.startup_locality.has_value()) {
    j["startup_locality"] = *e.startup_locality;
  } else if (e.type == eventlog::kEvEfiGptEvent) {
    auto gpt = eventlog::ParseGpt(e.data);
    if (gpt.ok()) {
      Json parts = Json::array();
      for (const auto& p : gpt->partitions) {
        parts.push_back({{"type", p.type.ToString()},
                         {"unique", p.unique.ToString()},
                         {"first_lba", p.first_lba},
                         {"last_lba", p.last_lba},
                         {"name", Printable(p.name)}});
      }
      j["gpt"] = {{"disk_guid", gpt->disk.ToString()}, {"partitions", parts}};
    } else {
      j["data"] = Hex(e.data);
    }
  } else if (e.type == eventlog::kEvEfiHandoffTables) {
    auto tables = eventlog::ParseHandoffTables(e.data);
    Json arr = Json::array();
    if (tables.ok()) {
      for (const auto& t : *tables) {
        arr.push_back({{"guid", t.vendor.ToString()},
                       {"address", absl::StrFormat("0x%x", t.address)}});
      }
      j["tables"] = arr;
    } else {
      j["data"] = Hex(e.data);
    }
  } else if (IsText(eventlog::EventText(e)) &&
             e.type != eventlog::kEvSeparator) {
    j["text"] = Printable(eventlog::EventText(e));
  } else if (!e.data.empty()) {
    j["data"] = Hex(e.data);
  }
  return j;
}

Json EventJson(const Event& e) {
  Json digests = Json::object();
  for (const eventlog::EventDigest& d : e.digests) {
    digests[tpm::BankName(d.bank)] = Hex(d.value);
  }
  Json j = {{"number", e.number},   {"offset", e.offset},
            {"pcr", e.pcr},         {"type", eventlog::EventTypeLabel(e.type)},
            {"type_value", e.type}, {"digests", digests},
            {"size", e.data.size()}};
  j["details"] = e.number == 0 ? Json::object() : EventDetails(e);
  return j;
}

std::string EventSummary(const Event& e) {
  if (e.number == 0) return "SpecID \"Spec ID Event03\"";
  Json d = EventDetails(e);
  std::string out;
  if (d.contains("variable")) {
    const Json& v = d["variable"];
    out = v["name"].get<std::string>();
    if (v.contains("secure_boot")) {
      absl::StrAppend(&out, " = ",
                      v["secure_boot"].get<bool>() ? "1 (on)" : "0 (off)");
    } else if (v.contains("signature_lists")) {
      std::vector<std::string> parts;
      for (const Json& l : v["signature_lists"]) {
        parts.push_back(absl::StrCat(l["signatures"].size(), " ",
                                     l["type"].get<std::string>()));
      }
      absl::StrAppend(&out, ": ",
                      parts.empty() ? "empty" : absl::StrJoin(parts, ", "));
    } else if (v.contains("boot_order")) {
      std::vector<std::string> parts;
      for (const Json& b : v["boot_order"])
        parts.push_back(b.get<std::string>());
      absl::StrAppend(&out, ": ", absl::StrJoin(parts, ","));
    } else if (v.contains("boot_option")) {
      absl::StrAppend(&out, ": ",
                      v["boot_option"]["description"].get<std::string>(), " ",
                      v["boot_option"]["device_path"].get<std::string>());
    } else if (v.contains("text")) {
      absl::StrAppend(&out, ": ", v["text"].get<std::string>());
    } else {
      absl::StrAppend(&out, " (", v["size"].get<size_t>(), " bytes)");
    }
  } else if (d.contains("image")) {
    out = d["image"]["device_path"].get<std::string>();
    if (out.empty()) out = "(no device path)";
  } else if (d.contains("blob")) {
    out = absl::StrCat("base ", d["blob"]["base"].get<std::string>(),
                       " length ", d["blob"]["length"].get<uint64_t>());
  } else if (d.contains("startup_locality")) {
    out = absl::StrCat("StartupLocality ", d["startup_locality"].get<int>());
  } else if (d.contains("gpt")) {
    out = absl::StrCat("GPT disk ", d["gpt"]["disk_guid"].get<std::string>(),
                       ", ", d["gpt"]["partitions"].size(), " partitions");
  } else if (d.contains("tables")) {
    out = absl::StrCat(d["tables"].size(), " configuration tables");
  } else if (d.contains("text")) {
    out = d["text"].get<std::string>();
  } else if (d.contains("data")) {
    out = d["data"].get<std::string>();
  }
  if (out.size() > 120) out = out.substr(0, 117) + "...";
  return out;
}

Json PcrsJson(const tpm::PcrValues& pcrs) {
  Json j = Json::object();
  for (const auto& [bank, values] : pcrs) {
    Json b = Json::object();
    for (const auto& [pcr, value] : values) b[absl::StrCat(pcr)] = Hex(value);
    j[tpm::BankName(bank)] = b;
  }
  return j;
}

}  // namespace candor::tenant
