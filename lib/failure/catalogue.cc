#include "lib/failure/catalogue.h"

#include <cstddef>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace candor::failure {

namespace v1 = ::candor::v1;

namespace {

// Keep in the order and wording of the table in protos/candor/v1/README.md
// (catalogue_test compares them).
constexpr FailureKind kCatalogue[] = {
    {kQuoteMalformed, v1::SEVERITY_CRITICAL,
     "TPMS_ATTEST or TPMT_SIGNATURE does not unmarshal or has trailing "
     "bytes, the magic is not TPM_GENERATED_VALUE, or the quote or its PCR "
     "values are absent."},
    {kQuoteWrongType, v1::SEVERITY_CRITICAL,
     "The attestation structure is not a quote (its type is not "
     "TPM_ST_ATTEST_QUOTE)."},
    {kQuoteBadSignature, v1::SEVERITY_CRITICAL,
     "The signature does not verify with the agent's registered AK, or its "
     "scheme or hash is not the AK's."},
    {kQuoteNonceMismatch, v1::SEVERITY_CRITICAL,
     "extraData is not the nonce the verifier sent for this cycle."},
    {kQuotePcrSelectionMismatch, v1::SEVERITY_CRITICAL,
     "The quoted PCR selection differs from the requested one, or the "
     "returned PCR values cover other PCRs than the quote."},
    {kQuotePcrDigestMismatch, v1::SEVERITY_CRITICAL,
     "The quote's pcrDigest is not the hash of the returned PCR values in "
     "selection order."},
    {kQuoteClockRegression, v1::SEVERITY_CRITICAL,
     "resetCount or restartCount decreased, or the TPM clock went back since "
     "the previous quote (other than after an unorderly restart, see "
     "quote.clock_unsafe)."},
    {kQuoteClockUnsafe, v1::SEVERITY_WARNING,
     "clockInfo.safe is 0: the TPM restarted without an orderly shutdown and "
     "its clock may repeat values. Recorded, not a failure: TPMs report it "
     "for a long time after such a restart."},
    {kQuoteUnsupportedAlgorithm, v1::SEVERITY_CRITICAL,
     "The quote uses a hash, signature scheme or PCR bank the verifier does "
     "not accept (e.g. a SHA-1 signature)."},
    {kPcrPolicyMismatch, v1::SEVERITY_CRITICAL,
     "A PCR's value is not among the allowed digests of the agent's static "
     "PCR policy."},
    {kPcrMissing, v1::SEVERITY_CRITICAL,
     "A PCR that a check needs is missing from the quote's selection or from "
     "the returned PCR values."},
    {kPcrTransportKeyMismatch, v1::SEVERITY_CRITICAL,
     "PCR 16 is not the extension of zeros with the hash of the agent's "
     "registered transport public key: the transport key is not bound to "
     "this TPM."},
    {kImaLogMalformed, v1::SEVERITY_CRITICAL,
     "An IMA log line does not parse (field count, hex, digest length or "
     "template data)."},
    {kImaUnsupportedTemplate, v1::SEVERITY_CRITICAL,
     "An IMA entry uses a template the verifier cannot parse."},
    {kImaTemplateHashMismatch, v1::SEVERITY_CRITICAL,
     "An IMA entry's template hash is not the hash of its template data."},
    {kImaPcrMismatch, v1::SEVERITY_CRITICAL,
     "Replaying the IMA entries from the stored running value never reaches "
     "the quoted PCR 10."},
    {kImaNotInPolicy, v1::SEVERITY_CRITICAL,
     "A measured file is neither in the runtime policy's digests nor "
     "excluded by it."},
    {kImaDigestMismatch, v1::SEVERITY_CRITICAL,
     "A measured file is in the runtime policy but its digest is not one of "
     "the allowed digests."},
    {kImaBadSignature, v1::SEVERITY_CRITICAL,
     "An ima-sig signature does not verify with the policy's keys, and the "
     "digest is not allowed either."},
    {kImaViolation, v1::SEVERITY_WARNING,
     "A ToMToU or open-writers violation (template hash of zeros, replayed "
     "as FF bytes). Recorded as a warning."},
    {kImaBootAggregateMismatch, v1::SEVERITY_CRITICAL,
     "The boot_aggregate entry does not match the quoted boot PCRs (0-9, or "
     "0-7 for SHA-1)."},
    {kImaInvalidEntryNumber, v1::SEVERITY_CRITICAL,
     "The agent returned IMA entries from another index than the one asked "
     "for, and not as a restart from entry 0."},
    {kImaKeyringNotAllowed, v1::SEVERITY_CRITICAL,
     "A key measured into a keyring (ima-buf) is not allowed by the runtime "
     "policy's keyrings."},
    {kBootLogMissing, v1::SEVERITY_CRITICAL,
     "A boot policy is set but the agent has no UEFI event log."},
    {kBootLogMalformed, v1::SEVERITY_CRITICAL,
     "The UEFI event log does not parse as a TCG crypto-agile log."},
    {kBootPcrMismatch, v1::SEVERITY_CRITICAL,
     "Replaying the UEFI event log does not give the quoted PCR values (PCRs "
     "0-7, and 8-9 where the firmware measures them)."},
    {kBootSeparatorLookalike, v1::SEVERITY_CRITICAL,
     "An event's digest equals a separator's but its type is not "
     "EV_SEPARATOR."},
    {kBootDigestMismatch, v1::SEVERITY_CRITICAL,
     "An event's digest is not the hash of its event data, for an event type "
     "whose digest covers its data."},
    {kBootPolicyRejectAll, v1::SEVERITY_CRITICAL,
     "The agent's boot policy is the reject-all policy: no boot passes until "
     "a reference state is set."},
    {kBootScrtmMismatch, v1::SEVERITY_CRITICAL,
     "The S-CRTM or platform firmware measurements (PCR 0) are not the ones "
     "the boot policy allows."},
    {kBootPkMismatch, v1::SEVERITY_CRITICAL,
     "The Secure Boot platform key (PK) differs from the boot policy's."},
    {kBootKekMismatch, v1::SEVERITY_CRITICAL,
     "The Secure Boot key exchange keys (KEK) differ from the boot policy's."},
    {kBootDbMismatch, v1::SEVERITY_CRITICAL,
     "The Secure Boot signature database (db) differs from the boot "
     "policy's."},
    {kBootDbxMismatch, v1::SEVERITY_CRITICAL,
     "The Secure Boot forbidden signature database (dbx) lacks entries the "
     "boot policy requires."},
    {kBootMokMismatch, v1::SEVERITY_CRITICAL,
     "The shim machine owner keys (MokList) differ from the boot policy's."},
    {kBootKernelNotAllowed, v1::SEVERITY_CRITICAL,
     "A boot loader or kernel image digest (PCR 4) is not allowed by the "
     "boot policy."},
    {kBootInitrdMismatch, v1::SEVERITY_CRITICAL,
     "The initrd digest is not one the boot policy allows."},
    {kBootKernelCmdlineMismatch, v1::SEVERITY_CRITICAL,
     "The kernel command line does not match the boot policy."},
    {kBootSecurebootDisabled, v1::SEVERITY_CRITICAL,
     "The boot policy requires Secure Boot but the event log shows it "
     "disabled."},
    {kAgentUnreachable, v1::SEVERITY_WARNING,
     "The agent did not answer or the connection failed (TLS included). "
     "Never fails an agent: it goes UNREACHABLE and is retried with backoff."},
    {kAgentInvalidResponse, v1::SEVERITY_ERROR,
     "The agent answered, but the answer breaks the contract (missing "
     "fields, an IMA page or boot log other than asked)."},
    {kAgentIdentityChanged, v1::SEVERITY_CRITICAL,
     "The agent presents an identity (EK, AK, transport key or TLS "
     "certificate) other than the one registered when it was added."},
    {kAgentRebooted, v1::SEVERITY_INFO,
     "The agent's boot id changed since the last cycle: IMA replay restarts "
     "from entry 0 and the boot log is checked again."},
    {kAgentNotRegistered, v1::SEVERITY_ERROR,
     "The agent's registration was deleted at the registrar or is no longer "
     "active."},
    {kPolicyNotFound, v1::SEVERITY_WARNING,
     "A policy the agent references does not exist; the cycle has no "
     "verdict."},
    {kPolicyInvalid, v1::SEVERITY_WARNING,
     "A stored policy fails to load (e.g. after an upgrade); the cycle has "
     "no verdict."},
    {kInternalError, v1::SEVERITY_WARNING,
     "The verifier itself failed during the cycle (bug, database error); the "
     "cycle has no verdict and is retried."},
};

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&text](size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // Range of the second byte.
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // Overlong.
    if (lead == 0xED) high = 0x9F;  // Surrogates.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // Overlong.
    if (lead == 0xF4) high = 0x8F;  // Above U+10FFFF.
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// `text` with every byte that is not part of well-formed UTF-8 replaced by
// \xNN, so the proto3 string fields it goes into always parse. No copy when
// the text is already valid (the usual case).
std::string ToValidUtf8(std::string text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) break;
    i += length;
  }
  if (i == text.size()) return text;
  std::string valid(text, 0, i);
  while (i < text.size()) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      absl::StrAppend(
          &valid, "\\x",
          absl::Hex(static_cast<unsigned char>(text[i]), absl::kZeroPad2));
      ++i;
    } else {
      valid.append(text, i, length);
      i += length;
    }
  }
  return valid;
}

struct SeverityName {
  v1::Severity severity;
  absl::string_view label;
};

constexpr SeverityName kSeverityNames[] = {
    {v1::SEVERITY_INFO, "info"},           {v1::SEVERITY_NOTICE, "notice"},
    {v1::SEVERITY_WARNING, "warning"},     {v1::SEVERITY_ERROR, "error"},
    {v1::SEVERITY_CRITICAL, "critical"},   {v1::SEVERITY_ALERT, "alert"},
    {v1::SEVERITY_EMERGENCY, "emergency"},
};

}  // namespace

absl::Span<const FailureKind> Catalogue() { return kCatalogue; }

const FailureKind* Find(absl::string_view id) {
  for (const FailureKind& kind : kCatalogue) {
    if (kind.id == id) return &kind;
  }
  return nullptr;
}

v1::Failure MakeFailure(
    absl::string_view id, std::string message,
    std::initializer_list<std::pair<std::string, std::string>> context) {
  v1::Failure failure;
  failure.set_id(ToValidUtf8(std::string(id)));
  const FailureKind* kind = Find(id);
  failure.set_severity(kind != nullptr ? kind->default_severity
                                       : v1::SEVERITY_UNSPECIFIED);
  failure.set_message(ToValidUtf8(std::move(message)));
  auto& map = *failure.mutable_context();
  for (const auto& [key, value] : context) {
    map[ToValidUtf8(key)] = ToValidUtf8(value);
  }
  return failure;
}

absl::string_view SeverityLabel(v1::Severity severity) {
  for (const SeverityName& name : kSeverityNames) {
    if (name.severity == severity) return name.label;
  }
  return "unspecified";
}

absl::StatusOr<v1::Severity> ParseSeverity(absl::string_view label) {
  for (const SeverityName& name : kSeverityNames) {
    if (absl::EqualsIgnoreCase(name.label, label)) return name.severity;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown severity \"", label,
      "\" (expected info, notice, warning, error, critical, alert or "
      "emergency)"));
}

}  // namespace candor::failure
