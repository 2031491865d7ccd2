#include "lib/ima/replay.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/failure/catalogue.h"
#include "lib/ima/hasher.h"
#include "lib/ima/hex.h"
#include "lib/ima/template_data.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/pcr_values.h"

namespace candor::ima {
namespace {

using candor::v1::Failure;

std::string LineNumber(uint64_t index) { return absl::StrCat(index + 1); }

absl::string_view View(const uint8_t* p, size_t n) {
  return absl::string_view(reinterpret_cast<const char*>(p), n);
}

absl::Status HashFailed() {
  return crypto::SslError(absl::StatusCode::kInternal, "IMA replay digest");
}

}  // namespace

absl::string_view ExtendModeName(ExtendMode mode) {
  switch (mode) {
    case ExtendMode::kPerBank:
      return "per_bank";
    case ExtendMode::kPaddedSha1:
      return "padded_sha1";
    default:
      return "unknown";
  }
}

absl::StatusOr<ReplayState> ReplayState::AtBoot(TPM2_ALG_ID bank,
                                                ExtendMode mode) {
  ABSL_ASSIGN_OR_RETURN(HashAlgo algo, HashAlgoFromBank(bank));
  ReplayState s;
  s.bank = bank;
  s.pcr10.assign(HashAlgoSize(algo), '\0');
  s.mode = mode;
  return s;
}

absl::StatusOr<ReplayResult> Replay(const ReplayState& from,
                                    absl::Span<const absl::string_view> lines,
                                    const ReplayOptions& options,
                                    EntryVisitor visit,
                                    std::vector<Failure>* findings) {
  ABSL_ASSIGN_OR_RETURN(HashAlgo bank_algo, HashAlgoFromBank(from.bank));
  const size_t n = HashAlgoSize(bank_algo);
  const std::string bank_name = tpm::BankName(from.bank);
  if (from.pcr10.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("IMA replay: saved PCR 10 has ", from.pcr10.size(),
                     " bytes; the ", bank_name, " bank needs ", n));
  }
  const bool quoted = !options.quoted_pcr10.empty();
  if (quoted && options.quoted_pcr10.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IMA replay: quoted PCR 10 has ", options.quoted_pcr10.size(),
        " bytes; the ", bank_name, " bank needs ", n));
  }
  const HashAlgo th_algo = options.template_hash_algo;
  const size_t th_size = HashAlgoSize(th_algo);
  if (th_size == 0) {
    return absl::InvalidArgumentError("IMA replay: unknown template hash");
  }
  ABSL_ASSIGN_OR_RETURN(Hasher bank_hasher, Hasher::Create(bank_algo));
  const bool same_algo = th_algo == bank_algo;
  std::optional<Hasher> own_th_hasher;
  if (!same_algo) {
    ABSL_ASSIGN_OR_RETURN(Hasher h, Hasher::Create(th_algo));
    own_th_hasher.emplace(std::move(h));
  }
  Hasher* th_hasher = same_algo ? &bank_hasher : &*own_th_hasher;

  ExtendMode mode = from.mode;
  // On a bank of the template-hash algorithm both modes extend the same.
  if (mode == ExtendMode::kUnknown && same_algo) mode = ExtendMode::kPerBank;
  if (mode == ExtendMode::kUnknown && !quoted) mode = options.offline_mode;
  const bool detect = quoted && mode == ExtendMode::kUnknown;
  const bool padded_a = mode == ExtendMode::kPaddedSha1;
  const bool check_th =
      !quoted || options.check_template_hash || padded_a || detect || same_algo;
  const uint8_t* q =
      reinterpret_cast<const uint8_t*>(options.quoted_pcr10.data());

  // run_a: `mode` (kPerBank while detecting); run_b: kPaddedSha1 while
  // detecting.
  uint8_t run_a[kMaxDigestSize], run_b[kMaxDigestSize];
  std::memcpy(run_a, from.pcr10.data(), n);
  std::memcpy(run_b, from.pcr10.data(), n);
  uint8_t bank_hash[kMaxDigestSize], th_hash[kMaxDigestSize];
  uint8_t ff_bank[kMaxDigestSize], ff_padded[kMaxDigestSize];
  uint8_t padded[kMaxDigestSize];
  std::memset(ff_bank, 0xFF, n);
  std::memset(ff_padded, 0, n);
  std::memset(ff_padded, 0xFF, std::min(n, kViolationDigestSize));

  ReplayResult r;
  r.state = from;
  if (quoted && std::memcmp(run_a, q, n) == 0) {
    r.pcr_matched = true;
    if (!detect) r.state.mode = mode;
    return r;
  }

  Entry e;
  std::string td;
  td.reserve(1024);
  ExtendMode matched_mode = ExtendMode::kUnknown;
  size_t i = 0;
  for (; i < lines.size(); ++i) {
    const uint64_t index = from.next_entry + i;
    absl::Status s = ParseLine(lines[i], index + 1, &e, th_algo);
    if (!s.ok()) {
      findings->push_back(failure::MakeFailure(ParseFailureId(s),
                                               std::string(s.message()),
                                               {{"line", LineNumber(index)}}));
      if (quoted) break;
      r.chain_broken = true;
      continue;
    }
    if (e.pcr != kImaPcr) {
      findings->push_back(failure::MakeFailure(
          failure::kImaLogMalformed,
          absl::StrCat("line ", index + 1, ": entry measured into PCR ", e.pcr,
                       "; only PCR 10 is attested"),
          {{"line", LineNumber(index)}, {"path", std::string(e.path)}}));
      continue;
    }
    BuildTemplateData(e, &td);
    if (e.violation) {
      findings->push_back(failure::MakeFailure(
          failure::kImaViolation,
          absl::StrCat("line ", index + 1,
                       ": violation (ToMToU or open-writers) on '", e.path,
                       "': template hash of zeros, replayed as 0xFF"),
          {{"line", LineNumber(index)}, {"path", std::string(e.path)}}));
    } else {
      const bool need_bank = !padded_a;
      const bool need_th = check_th || padded_a || detect;
      if (need_bank && !bank_hasher.Hash(td, bank_hash)) return HashFailed();
      if (need_th) {
        if (same_algo && need_bank) {
          std::memcpy(th_hash, bank_hash, n);
        } else if (!th_hasher->Hash(td, th_hash)) {
          return HashFailed();
        }
      }
      if (e.template_hash_all_ff ||
          (check_th && std::memcmp(th_hash, e.template_hash, th_size) != 0)) {
        std::string expected = need_th ? HexEncode(View(th_hash, th_size))
                                       : std::string("(not computed)");
        findings->push_back(failure::MakeFailure(
            failure::kImaTemplateHashMismatch,
            absl::StrCat(
                "line ", index + 1, ": template hash ",
                HexEncode(e.template_hash_view()),
                e.template_hash_all_ff ? " (all 0xFF, not a violation)" : "",
                " is not ", HashAlgoName(th_algo), " of the template data"),
            {{"line", LineNumber(index)},
             {"path", std::string(e.path)},
             {"got", HexEncode(e.template_hash_view())},
             {"expected", expected}}));
      }
      if (padded_a || detect) {
        std::memset(padded, 0, n);
        std::memcpy(padded, th_hash, std::min(n, th_size));
      }
    }
    // Extend.
    const uint8_t* ext_a = e.violation ? (padded_a ? ff_padded : ff_bank)
                                       : (padded_a ? padded : bank_hash);
    if (!bank_hasher.Hash2(View(run_a, n), View(ext_a, n), run_a)) {
      return HashFailed();
    }
    if (detect) {
      const uint8_t* ext_b = e.violation ? ff_padded : padded;
      if (!bank_hasher.Hash2(View(run_b, n), View(ext_b, n), run_b)) {
        return HashFailed();
      }
    }
    visit(e, index, td);
    if (quoted) {
      if (std::memcmp(run_a, q, n) == 0) {
        matched_mode = detect ? ExtendMode::kPerBank : mode;
      } else if (detect && std::memcmp(run_b, q, n) == 0) {
        matched_mode = ExtendMode::kPaddedSha1;
        std::memcpy(run_a, run_b, n);
      }
      if (matched_mode != ExtendMode::kUnknown) {
        ++i;
        r.pcr_matched = true;
        break;
      }
    }
  }
  r.consumed = i;
  if (quoted) {
    if (!r.pcr_matched) {
      if (i == lines.size()) {
        findings->push_back(failure::MakeFailure(
            failure::kImaPcrMismatch,
            absl::StrCat("replaying ", lines.size(), " IMA entries from entry ",
                         from.next_entry, " never reaches the quoted ",
                         bank_name, " PCR 10 ",
                         HexEncode(options.quoted_pcr10)),
            {{"pcr", "10"},
             {"bank", bank_name},
             {"expected", HexEncode(options.quoted_pcr10)},
             {"got", HexEncode(View(run_a, n))}}));
      }
      return r;
    }
    r.state.pcr10.assign(reinterpret_cast<const char*>(run_a), n);
    r.state.next_entry = from.next_entry + i;
    r.state.mode = matched_mode;
    return r;
  }
  r.state.pcr10.assign(reinterpret_cast<const char*>(run_a), n);
  r.state.next_entry = from.next_entry + i;
  r.state.mode = mode;
  return r;
}

}  // namespace candor::ima
