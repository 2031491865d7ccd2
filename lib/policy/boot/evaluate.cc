#include "lib/policy/boot/evaluate.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/eventlog/event_types.h"
#include "lib/failure/catalogue.h"
#include "lib/tpm/pcr_values.h"

namespace candor::policy {
namespace boot_internal {

using eventlog::Event;

bool DigestMatches(const DigestSpec& spec, const Event& event) {
  for (const auto& [bank, value] : spec) {
    const std::string* d = event.DigestFor(bank);
    if (d != nullptr && *d == value) return true;
  }
  return false;
}

std::string DigestText(const Event& event) {
  if (const std::string* d = event.DigestFor(TPM2_ALG_SHA256)) {
    return absl::BytesToHexString(*d);
  }
  if (event.digests.empty()) return "";
  return absl::StrCat(tpm::BankName(event.digests[0].bank), ":",
                      absl::BytesToHexString(event.digests[0].value));
}

namespace {

std::string SpecText(const DigestSpec& spec) {
  std::vector<std::string> parts;
  for (const auto& [bank, value] : spec) {
    parts.push_back(bank == TPM2_ALG_SHA256
                        ? absl::BytesToHexString(value)
                        : absl::StrCat(tpm::BankName(bank), ":",
                                       absl::BytesToHexString(value)));
  }
  return absl::StrJoin(parts, "/");
}

// Why `entry` does not match the PCR 0 events, or "" when it does.
std::string ScrtmDifference(const ScrtmAndBios& entry, const BootEvents& b) {
  if (entry.scrtm.has_value()) {
    if (b.scrtm.size() != 1) {
      return absl::StrCat("the log has ", b.scrtm.size(),
                          " EV_S_CRTM_VERSION events, expected 1");
    }
    if (!DigestMatches(*entry.scrtm, *b.scrtm[0])) {
      return absl::StrCat("S-CRTM version (event ", b.scrtm[0]->number, ") is ",
                          DigestText(*b.scrtm[0]), ", expected ",
                          SpecText(*entry.scrtm));
    }
  } else if (!b.scrtm.empty()) {
    return absl::StrCat("the log has ", b.scrtm.size(),
                        " EV_S_CRTM_VERSION events, expected none");
  }
  if (b.platform_firmware.size() != entry.platform_firmware.size()) {
    return absl::StrCat("the log has ", b.platform_firmware.size(),
                        " platform firmware blobs, expected ",
                        entry.platform_firmware.size());
  }
  for (size_t i = 0; i < b.platform_firmware.size(); ++i) {
    if (!DigestMatches(entry.platform_firmware[i], *b.platform_firmware[i])) {
      return absl::StrCat("platform_firmware[", i, "] (event ",
                          b.platform_firmware[i]->number, ") is ",
                          DigestText(*b.platform_firmware[i]), ", expected ",
                          SpecText(entry.platform_firmware[i]));
    }
  }
  return "";
}

}  // namespace

void CheckScrtm(const ReferenceState& s, const BootEvents& b, Failures* out) {
  std::vector<std::string> why;
  for (const ScrtmAndBios& entry : s.scrtm_and_bios) {
    std::string d = ScrtmDifference(entry, b);
    if (d.empty()) return;
    why.push_back(std::move(d));
  }
  std::string message =
      why.size() == 1
          ? absl::StrCat("PCR 0 does not match the policy: ", why[0])
          : absl::StrCat("PCR 0 matches none of the policy's ", why.size(),
                         " scrtm_and_bios entries: ", absl::StrJoin(why, "; "));
  out->push_back(failure::MakeFailure(
      failure::kBootScrtmMismatch, message,
      {{"pcr", "0"},
       {"got", b.scrtm.empty() ? "" : DigestText(*b.scrtm[0])},
       {"count", absl::StrCat(b.platform_firmware.size())}}));
}

void CheckSecureBoot(const ReferenceState& s, const BootEvents& b,
                     Failures* out) {
  if (!s.has_secureboot) return;
  if (b.secure_boot.empty()) {
    out->push_back(failure::MakeFailure(
        failure::kBootSecurebootDisabled,
        "the policy requires Secure Boot but the log has no SecureBoot "
        "variable measurement (PCR 7)",
        {{"pcr", "7"}, {"variable", "SecureBoot"}}));
    return;
  }
  for (const Event* e : b.secure_boot) {
    const std::string& value = e->variable->data;
    std::string why;
    if (!DigestsCover(*e, e->data)) {
      why = "its digest does not cover its data";
    } else if (value != std::string(1, '\1')) {
      why = absl::StrCat("Secure Boot is off (SecureBoot = 0x",
                         absl::BytesToHexString(value), ")");
    }
    if (why.empty()) continue;
    out->push_back(failure::MakeFailure(
        failure::kBootSecurebootDisabled,
        absl::StrCat("the policy requires Secure Boot; SecureBoot variable "
                     "(event ",
                     e->number, "): ", why),
        {{"event", absl::StrCat(e->number)},
         {"pcr", "7"},
         {"variable", "SecureBoot"},
         {"expected", "01"},
         {"got", absl::BytesToHexString(value)}}));
  }
}

void CheckMok(const ReferenceState& s, const BootEvents& b, Failures* out) {
  struct Which {
    const std::vector<const Event*>& events;
    const std::vector<DigestSpec>& allowed;
    const char* name;
    const char* key;
  } lists[] = {{b.mok, s.mokdig, "MokList", "mokdig"},
               {b.mokx, s.mokxdig, "MokListX", "mokxdig"}};
  for (const Which& w : lists) {
    for (const Event* e : w.events) {
      bool ok = false;
      for (const DigestSpec& spec : w.allowed)
        ok = ok || DigestMatches(spec, *e);
      if (ok) continue;
      out->push_back(failure::MakeFailure(
          failure::kBootMokMismatch,
          absl::StrCat(w.name, " (event ", e->number, ", PCR 14) digest ",
                       DigestText(*e), " is not in the policy's ", w.key),
          {{"event", absl::StrCat(e->number)},
           {"pcr", "14"},
           {"variable", w.name},
           {"got", DigestText(*e)}}));
    }
  }
}

}  // namespace boot_internal

std::vector<candor::v1::Failure> EvaluateReferenceState(
    const ReferenceState& state, const eventlog::EventLog& log) {
  BootEvents b = FindBootEvents(log);
  boot_internal::Failures out;
  boot_internal::CheckScrtm(state, b, &out);
  boot_internal::CheckSecureBoot(state, b, &out);
  boot_internal::CheckKeys(state, b, &out);
  boot_internal::CheckMok(state, b, &out);
  boot_internal::CheckKernels(state, b, &out);
  return out;
}

}  // namespace candor::policy
