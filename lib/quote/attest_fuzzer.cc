// Fuzzes what a verifier or the tenant parses from outside: TPMS_ATTEST,
// TPMT_SIGNATURE, tpm2-tools PCR files, AK public areas, and full quote
// verification. The first byte picks the mode; lengths are big-endian u16:
//   0  ParseQuoteAttest(rest)
//   1  ParseSignature(rest)
//   2  ParseTpm2ToolsPcrs(rest) in every format, AttestFromTpm2ToolsMessage
//   3  u16 ak | u16 attest | u16 signature | u16 nonce | serialized PCR file:
//      AkVerifier::Create(ak), then VerifyQuote
//   4  u16 attest | u16 nonce | serialized PCR file: the attest is signed by
//      a fixed software ECDSA P-256 AK first, so the checks after the
//      signature run on arbitrary (parsed) quotes
// Seeds: testdata/fuzz/, written by testdata/record_golden.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/quote/attest.h"
#include "lib/quote/testing/quote_builder.h"
#include "lib/quote/tpm2_tools_files.h"
#include "lib/quote/verify.h"

namespace {

using namespace candor::quote;  // NOLINT

// tss2-mu logs every unmarshalling error to stderr; silence it (slow, noisy).
[[maybe_unused]] const int kQuietTss2 =
    setenv("TSS2_LOG", "all+NONE", /*overwrite=*/0);

struct Reader {
  absl::string_view rest;
  absl::string_view Chunk() {
    if (rest.size() < 2) {
      rest = {};
      return {};
    }
    size_t n = (size_t{uint8_t(rest[0])} << 8) | uint8_t(rest[1]);
    rest.remove_prefix(2);
    absl::string_view out = rest.substr(0, n);
    rest.remove_prefix(out.size());
    return out;
  }
};

void Check(bool invariant) {
  if (!invariant) __builtin_trap();
}

void VerifyWith(const AkVerifier& ak, absl::string_view attest,
                absl::string_view signature, absl::string_view nonce,
                absl::string_view pcr_file, bool must_verify) {
  auto pcrs = ParseTpm2ToolsPcrs(pcr_file, PcrsFormat::kSerialized);
  Tpm2ToolsPcrs empty;
  const Tpm2ToolsPcrs& p = pcrs.ok() ? *pcrs : empty;
  auto parsed = ParseQuoteAttest(attest);
  const candor::tpm::PcrSelection& requested =
      parsed.ok() ? parsed->pcr_selection : p.selection;
  QuoteInput in;
  in.attest = attest;
  in.signature = signature;
  in.pcr_values = &p.values;
  in.requested = &requested;
  in.nonce = nonce;
  if (parsed.ok()) {
    in.previous_clock = parsed->clock_info;  // equal clock: a regression
  }
  auto result = VerifyQuote(ak, in);
  if (!result.ok()) return;  // misuse (empty nonce or selection)
  Check(result->ok() ==
        (result->signature_verified && result->failures.empty()));
  Check(result->attest.has_value() == parsed.ok());
  if (must_verify && parsed.ok()) {
    Check(result->signature_verified);
    Check(!result->ok());  // the clock did not advance
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 5;
  absl::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode) {
    case 0: {
      auto q = ParseQuoteAttest(in);
      if (!q.ok()) (void)QuoteFailureId(q.status());
      break;
    }
    case 1:
      (void)ParseSignature(in);
      break;
    case 2: {
      auto serialized = ParseTpm2ToolsPcrs(in, PcrsFormat::kSerialized);
      auto marshaled = ParseTpm2ToolsPcrs(in, PcrsFormat::kMarshaled);
      if (serialized.ok()) {
        (void)ParseTpm2ToolsPcrs(in, PcrsFormat::kValues,
                                 serialized->selection);
      }
      absl::string_view attest = AttestFromTpm2ToolsMessage(in);
      Check(attest == in || attest.size() + 2 == in.size());
      break;
    }
    case 3: {
      Reader r{in};
      absl::string_view ak_public = r.Chunk();
      absl::string_view attest = r.Chunk();
      absl::string_view signature = r.Chunk();
      absl::string_view nonce = r.Chunk();
      auto ak = AkVerifier::Create(ak_public);
      if (ak.ok()) {
        VerifyWith(**ak, attest, signature, nonce, r.rest, false);
      }
      break;
    }
    case 4: {
      static const testing::SoftwareAk* soft = [] {
        auto k = testing::SoftwareAk::Generate(testing::SoftwareAk::kEccP256,
                                               TPM2_ALG_ECDSA, TPM2_ALG_SHA256);
        Check(k.ok());
        return new testing::SoftwareAk(*std::move(k));
      }();
      static const AkVerifier* ak =
          AkVerifier::Create(soft->tpm2b_public())->release();
      Reader r{in};
      absl::string_view attest = r.Chunk();
      absl::string_view nonce = r.Chunk();
      const std::string signature = soft->Sign(attest);
      VerifyWith(*ak, attest, signature, nonce, r.rest, true);
      break;
    }
  }
  return 0;
}
