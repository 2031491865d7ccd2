#include "tools/ima/ima_record.h"

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/ima/hex.h"
#include "lib/status/status_macros.h"
#include "tools/common/digest_spec.h"

namespace candor::tools {
namespace {

constexpr absl::string_view kBootAggregateName = "boot_aggregate";

void AppendLe32(std::string* out, size_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void AppendField(std::string* out, absl::string_view data) {
  AppendLe32(out, data.size());
  out->append(data.data(), data.size());
}

absl::Status CheckPath(absl::string_view path) {
  if (path.empty() || path.size() > kMaxImaPath) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IMA path: must be 1..", kMaxImaPath, " bytes, got ", path.size()));
  }
  if (path.find_first_of(absl::string_view("\n\0", 2)) !=
      absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "IMA path: must not contain a newline or NUL byte");
  }
  return absl::OkStatus();
}

// Template data and line for a d-ng digest field of `digest` bytes.
ImaRecord Build(ImaTemplate t, absl::string_view path, ima::HashAlgo algo,
                absl::string_view digest, absl::string_view sig,
                bool violation) {
  const absl::string_view algo_name = ima::HashAlgoName(algo);
  ImaRecord r;
  r.violation = violation;
  std::string dng = absl::StrCat(algo_name, ":");
  dng.push_back('\0');
  dng.append(digest.data(), digest.size());
  AppendField(&r.template_data, dng);
  std::string nng(path);
  nng.push_back('\0');
  AppendField(&r.template_data, nng);
  if (t == ImaTemplate::kImaSig) AppendField(&r.template_data, sig);
  const std::string hash = violation
                               ? std::string(40, '0')
                               : ima::HexEncode(crypto::Sha1(r.template_data));
  r.line = absl::StrCat(kImaPcr, " ", hash, " ", ImaTemplateName(t), " ",
                        algo_name, ":", ima::HexEncode(digest), " ", path);
  if (t == ImaTemplate::kImaSig) {
    absl::StrAppend(&r.line, " ", ima::HexEncode(sig));
  }
  return r;
}

}  // namespace

absl::string_view ImaTemplateName(ImaTemplate t) {
  return t == ImaTemplate::kImaSig ? "ima-sig" : "ima-ng";
}

absl::StatusOr<ImaTemplate> ParseImaTemplate(absl::string_view name) {
  if (name == "ima-ng") return ImaTemplate::kImaNg;
  if (name == "ima-sig") return ImaTemplate::kImaSig;
  return absl::InvalidArgumentError(absl::StrCat(
      "IMA template \"", name, "\": the emulator writes ima-ng or ima-sig"));
}

absl::StatusOr<std::string> ImaHash(ima::HashAlgo algo,
                                    absl::string_view data) {
  const char* name = ima::HashAlgoOpensslName(algo);
  if (name == nullptr) {
    return absl::InvalidArgumentError("IMA hash: unknown algorithm");
  }
  crypto::OsslPtr<EVP_MD> md(EVP_MD_fetch(nullptr, name, nullptr));
  if (md == nullptr) {
    return absl::InternalError(absl::StrCat("IMA hash: OpenSSL has no ", name));
  }
  return crypto::Digest(md.get(), data);
}

absl::StatusOr<std::pair<ima::HashAlgo, std::string>> ParseAlgoDigest(
    absl::string_view text) {
  const size_t colon = text.find(':');
  const ima::HashAlgo algo = colon == absl::string_view::npos
                                 ? ima::HashAlgo::kUnknown
                                 : ima::HashAlgoFromName(text.substr(0, colon));
  if (algo == ima::HashAlgo::kUnknown) {
    return absl::InvalidArgumentError(absl::StrCat(
        "digest \"", text, "\": want <algo>:<hex>, e.g. sha256:<64 hex>"));
  }
  const absl::string_view hex = text.substr(colon + 1);
  const size_t size = ima::HashAlgoSize(algo);
  std::string raw(size, '\0');
  if (hex.size() != 2 * size ||
      !ima::HexDecodeTo(hex, reinterpret_cast<uint8_t*>(&raw[0]))) {
    return absl::InvalidArgumentError(
        absl::StrCat("digest \"", text, "\": a ", ima::HashAlgoName(algo),
                     " digest is ", 2 * size, " hex digits"));
  }
  return std::make_pair(algo, std::move(raw));
}

absl::StatusOr<ImaRecord> MakeMeasurement(ImaTemplate t, absl::string_view path,
                                          ima::HashAlgo algo,
                                          absl::string_view digest,
                                          absl::string_view sig) {
  ABSL_RETURN_IF_ERROR(CheckPath(path));
  if (algo == ima::HashAlgo::kUnknown ||
      digest.size() != ima::HashAlgoSize(algo)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IMA digest for ", path, ": a ", ima::HashAlgoName(algo), " digest is ",
        ima::HashAlgoSize(algo), " bytes, got ", digest.size()));
  }
  if (t == ImaTemplate::kImaNg && !sig.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IMA entry for ", path,
        ": the ima-ng template has no signature field (use ima-sig)"));
  }
  return Build(t, path, algo, digest, sig, /*violation=*/false);
}

absl::StatusOr<ImaRecord> MakeViolation(ImaTemplate t, absl::string_view path,
                                        ima::HashAlgo algo) {
  ABSL_RETURN_IF_ERROR(CheckPath(path));
  if (algo == ima::HashAlgo::kUnknown) {
    return absl::InvalidArgumentError("IMA violation: unknown algorithm");
  }
  return Build(t, path, algo, std::string(20, '\0'), "", /*violation=*/true);
}

absl::StatusOr<std::string> ComputeBootAggregate(ima::HashAlgo algo,
                                                 const tpm::PcrValues& pcrs) {
  const TPM2_ALG_ID bank = ima::HashAlgoToBank(algo);
  if (bank == TPM2_ALG_ERROR) {
    return absl::InvalidArgumentError(absl::StrCat(
        "boot_aggregate: ", ima::HashAlgoName(algo), " has no PCR bank"));
  }
  const uint32_t last = bank == TPM2_ALG_SHA1 ? 7 : 9;
  auto it = pcrs.find(bank);
  std::string concat;
  for (uint32_t pcr = 0; pcr <= last; ++pcr) {
    if (it == pcrs.end() || it->second.count(pcr) == 0) {
      return absl::NotFoundError(
          absl::StrCat("boot_aggregate: no value for PCR ", pcr, " in the ",
                       tpm::BankName(bank), " bank"));
    }
    concat += it->second.at(pcr);
  }
  return BankHash(bank, concat);
}

absl::StatusOr<ImaRecord> MakeBootAggregate(ImaTemplate t, ima::HashAlgo algo,
                                            const tpm::PcrValues& pcrs) {
  ABSL_ASSIGN_OR_RETURN(std::string agg, ComputeBootAggregate(algo, pcrs));
  return Build(t, kBootAggregateName, algo, agg, "", /*violation=*/false);
}

absl::StatusOr<tpm::PcrExtend> Pcr10Extend(
    const ImaRecord& record, const std::vector<TPM2_ALG_ID>& banks) {
  tpm::PcrExtend e;
  e.pcr = kImaPcr;
  for (TPM2_ALG_ID bank : banks) {
    if (record.violation) {
      ABSL_ASSIGN_OR_RETURN(size_t size, tpm::BankDigestSize(bank));
      e.digests[bank] = std::string(size, '\xff');
    } else {
      ABSL_ASSIGN_OR_RETURN(e.digests[bank],
                            BankHash(bank, record.template_data));
    }
  }
  return e;
}

}  // namespace candor::tools
