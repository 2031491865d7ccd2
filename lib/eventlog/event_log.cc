#include "lib/eventlog/event_log.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/eventlog/byte_reader.h"
#include "lib/eventlog/event_decode.h"
#include "lib/eventlog/event_types.h"
#include "lib/eventlog/text.h"
#include "lib/tpm/pcr_values.h"

namespace candor::eventlog {
namespace {

using internal::ByteReader;

constexpr size_t kLegacyHeaderBytes = 32;  // pcr, type, sha1[20], size
constexpr char kSpecIdSignature03[] = "Spec ID Event03";  // + NUL = 16 bytes

absl::Status Malformed(uint32_t number, uint64_t offset,
                       absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("UEFI event log: event ",
                                                 number, " at byte offset ",
                                                 offset, ": ", what));
}

// TCG_EfiSpecIDEvent from the first event's data.
absl::Status ParseSpecId(absl::string_view data, uint64_t data_offset,
                         SpecId* spec) {
  ByteReader r(data, data_offset);
  auto fail = [&r](absl::string_view what) {
    return Malformed(0, r.offset(), absl::StrCat("SpecID event: ", what));
  };
  absl::string_view signature;
  if (!r.ReadBytes(16, &signature)) {
    return fail(absl::StrCat("data is ", data.size(),
                             " bytes, too short for its 16-byte signature"));
  }
  if (signature != absl::string_view(kSpecIdSignature03, 16)) {
    if (signature.substr(0, 15) == "Spec ID Event02") {
      return fail(
          "\"Spec ID Event02\" is a SHA-1-only (TPM 1.2) log; only "
          "crypto-agile \"Spec ID Event03\" logs are supported");
    }
    return fail("signature is not \"Spec ID Event03\"");
  }
  uint32_t num_algorithms = 0;
  if (!r.ReadU32(&spec->platform_class) ||
      !r.ReadU8(&spec->spec_version_minor) ||
      !r.ReadU8(&spec->spec_version_major) || !r.ReadU8(&spec->spec_errata) ||
      !r.ReadU8(&spec->uintn_size) || !r.ReadU32(&num_algorithms)) {
    return fail("truncated before the algorithm list");
  }
  if (spec->uintn_size != 1 && spec->uintn_size != 2) {
    return fail(absl::StrCat("uintnSize is ", spec->uintn_size,
                             ", expected 1 (32-bit) or 2 (64-bit)"));
  }
  if (num_algorithms == 0 || num_algorithms > kMaxAlgorithms) {
    return fail(absl::StrCat("numberOfAlgorithms is ", num_algorithms,
                             ", expected 1 to ", kMaxAlgorithms));
  }
  for (uint32_t i = 0; i < num_algorithms; ++i) {
    SpecIdAlgorithm alg;
    if (!r.ReadU16(&alg.bank) || !r.ReadU16(&alg.digest_size)) {
      return fail(absl::StrCat("truncated in algorithm ", i));
    }
    for (const SpecIdAlgorithm& seen : spec->algorithms) {
      if (seen.bank == alg.bank) {
        return fail(absl::StrCat("algorithm ", tpm::BankName(alg.bank),
                                 " is listed twice"));
      }
    }
    absl::StatusOr<size_t> want = tpm::BankDigestSize(alg.bank);
    if (want.ok() ? *want != alg.digest_size
                  : alg.digest_size == 0 || alg.digest_size > kMaxDigestSize) {
      return fail(absl::StrCat("algorithm ", tpm::BankName(alg.bank),
                               " has digest size ", alg.digest_size,
                               ", expected ",
                               want.ok() ? absl::StrCat(*want)
                                         : absl::StrCat("1-", kMaxDigestSize)));
    }
    spec->algorithms.push_back(alg);
  }
  uint8_t vendor_size = 0;
  absl::string_view vendor;
  if (!r.ReadU8(&vendor_size) || !r.ReadBytes(vendor_size, &vendor)) {
    return fail("truncated in vendorInfo");
  }
  spec->vendor_info = std::string(vendor);
  if (!r.empty()) {
    return fail(absl::StrCat("event data is ", data.size(),
                             " bytes but the SpecID structure ends after ",
                             r.position()));
  }
  return absl::OkStatus();
}

// The first (legacy SHA-1 format) event.
absl::Status ParseFirstEvent(ByteReader& r, SpecId* spec, Event* event) {
  if (r.remaining() == 0) {
    return absl::InvalidArgumentError(
        "UEFI event log is empty (0 bytes): expected the SpecID event at "
        "byte offset 0");
  }
  absl::string_view digest, data;
  uint32_t size = 0;
  if (!r.ReadU32(&event->pcr) || !r.ReadU32(&event->type) ||
      !r.ReadBytes(20, &digest) || !r.ReadU32(&size)) {
    return Malformed(0, 0,
                     absl::StrCat("truncated: the SpecID event header needs ",
                                  kLegacyHeaderBytes, " bytes, the log has ",
                                  r.remaining() + r.position()));
  }
  if (event->type != kEvNoAction || event->pcr != 0) {
    return Malformed(
        0, 0,
        absl::StrFormat("not a crypto-agile event log: the first event must "
                        "be EV_NO_ACTION on PCR 0 (the SpecID event), found "
                        "type 0x%08x on PCR %u",
                        event->type, event->pcr));
  }
  if (digest.find_first_not_of('\0') != absl::string_view::npos) {
    return Malformed(0, 8, "SpecID event digest is not all zeros");
  }
  if (!r.ReadBytes(size, &data)) {
    return Malformed(0, 0,
                     absl::StrCat("SpecID event size ", size, " exceeds the ",
                                  r.remaining(), " bytes left in the log"));
  }
  event->digests.push_back({TPM2_ALG_SHA1, std::string(digest)});
  event->data = std::string(data);
  return ParseSpecId(data, kLegacyHeaderBytes, spec);
}

}  // namespace

const std::string* Event::DigestFor(TPM2_ALG_ID bank) const {
  for (const EventDigest& d : digests) {
    if (d.bank == bank) return &d.value;
  }
  return nullptr;
}

std::vector<TPM2_ALG_ID> EventLog::banks() const {
  std::vector<TPM2_ALG_ID> out;
  for (const SpecIdAlgorithm& a : spec_id_.algorithms) out.push_back(a.bank);
  return out;
}

bool EventLog::Measures(uint32_t pcr) const {
  return pcr <= kMaxPcrIndex && (measured_mask_ >> pcr & 1) != 0;
}

absl::StatusOr<EventLog> EventLog::Parse(absl::string_view bytes) {
  if (bytes.size() > kMaxLogBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("UEFI event log is ", bytes.size(),
                     " bytes, more than the limit of ", kMaxLogBytes));
  }
  EventLog log;
  ByteReader r(bytes);
  Event first;
  absl::Status st = ParseFirstEvent(r, &log.spec_id_, &first);
  if (!st.ok()) return st;
  log.events_.push_back(std::move(first));

  const std::vector<SpecIdAlgorithm>& algs = log.spec_id_.algorithms;
  bool pcr0_extended = false;
  bool hcrtm = false;
  for (uint32_t number = 1; !r.empty(); ++number) {
    if (number >= kMaxEvents) {
      return Malformed(number, r.offset(),
                       absl::StrCat("more than ", kMaxEvents, " events"));
    }
    Event e;
    e.number = number;
    e.offset = r.offset();
    uint32_t count = 0;
    if (!r.ReadU32(&e.pcr) || !r.ReadU32(&e.type) || !r.ReadU32(&count)) {
      return Malformed(
          number, e.offset,
          absl::StrCat("truncated event header: ", bytes.size() - e.offset,
                       " trailing bytes are not an event"));
    }
    if (e.pcr > kMaxPcrIndex) {
      return Malformed(
          number, e.offset,
          absl::StrCat("PCR index ", e.pcr, " is above ", kMaxPcrIndex));
    }
    if (count != algs.size()) {
      return Malformed(
          number, e.offset + 8,
          absl::StrCat("digest count ", count, " differs from the SpecID's ",
                       algs.size(), " algorithms"));
    }
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t at = r.offset();
      EventDigest d;
      if (!r.ReadU16(&d.bank)) {
        return Malformed(number, at, absl::StrCat("truncated in digest ", i));
      }
      const SpecIdAlgorithm* alg = nullptr;
      for (const SpecIdAlgorithm& a : algs) {
        if (a.bank == d.bank) alg = &a;
      }
      if (alg == nullptr) {
        return Malformed(number, at,
                         absl::StrFormat("digest %u uses algorithm 0x%04x, "
                                         "which the SpecID does not list",
                                         i, d.bank));
      }
      if (e.DigestFor(d.bank) != nullptr) {
        return Malformed(
            number, at,
            absl::StrCat("two digests for ", tpm::BankName(d.bank)));
      }
      absl::string_view value;
      if (!r.ReadBytes(alg->digest_size, &value)) {
        return Malformed(number, at,
                         absl::StrCat("truncated in the ",
                                      tpm::BankName(d.bank), " digest"));
      }
      d.value = std::string(value);
      e.digests.push_back(std::move(d));
    }
    uint32_t size = 0;
    absl::string_view data;
    uint64_t size_at = r.offset();
    if (!r.ReadU32(&size)) {
      return Malformed(number, size_at, "truncated before the event size");
    }
    if (!r.ReadBytes(size, &data)) {
      return Malformed(number, size_at,
                       absl::StrCat("event size ", size, " exceeds the ",
                                    r.remaining(), " bytes left in the log"));
    }
    e.data = std::string(data);
    st = internal::DecodeEventData(&e, size_at + 4);
    if (!st.ok()) return st;

    if (e.pcr == 0 && e.type == kEvEfiHcrtmEvent && !pcr0_extended) {
      hcrtm = true;
      log.pcr0_locality_ = 4;
    }
    if (e.startup_locality.has_value() && e.pcr == 0 && !hcrtm) {
      if (pcr0_extended) {
        return Malformed(number, e.offset,
                         "StartupLocality event after PCR 0 was extended");
      }
      log.pcr0_locality_ = *e.startup_locality;
    }
    if (e.type != kEvNoAction) {
      log.measured_mask_ |= 1u << e.pcr;
      if (e.pcr == 0) pcr0_extended = true;
    }
    log.events_.push_back(std::move(e));
  }
  return log;
}

std::string EventText(const Event& event) {
  absl::string_view data = event.data;
  if (LooksLikeAsciiUtf16Le(data)) {
    return Utf16LeToUtf8(StripUtf16Nuls(data));
  }
  while (!data.empty() && data.back() == '\0') data.remove_suffix(1);
  return std::string(data);
}

}  // namespace candor::eventlog
