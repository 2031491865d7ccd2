#include "lib/ima/testing/log_builder.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "lib/ima/entry.h"
#include "lib/ima/hex.h"
#include "lib/ima/keyring.h"
#include "lib/ima/signature.h"
#include "lib/ima/template_data.h"

namespace candor::ima::testing {

std::string HashOf(HashAlgo algo, absl::string_view data) {
  EVP_MD* md = EVP_MD_fetch(nullptr, HashAlgoOpensslName(algo), nullptr);
  absl::StatusOr<std::string> d = crypto::Digest(md, data);
  EVP_MD_free(md);
  if (!d.ok()) {
    std::cerr << "HashOf: " << d.status() << "\n";
    std::abort();
  }
  return *d;
}

std::string SignFileDigest(EVP_PKEY* key, HashAlgo algo,
                           absl::string_view digest, int64_t keyid) {
  crypto::OsslPtr<EVP_PKEY_CTX> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  EVP_MD* md = EVP_MD_fetch(nullptr, HashAlgoOpensslName(algo), nullptr);
  bool ok = ctx != nullptr && md != nullptr &&
            EVP_PKEY_sign_init(ctx.get()) == 1 &&
            (!EVP_PKEY_is_a(key, "RSA") ||
             EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1) &&
            EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
  size_t len = 0;
  const auto* d = reinterpret_cast<const unsigned char*>(digest.data());
  ok = ok && EVP_PKEY_sign(ctx.get(), nullptr, &len, d, digest.size()) == 1;
  std::string sig(len, '\0');
  ok = ok && EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(&sig[0]),
                           &len, d, digest.size()) == 1;
  EVP_MD_free(md);
  if (!ok) {
    std::cerr << "SignFileDigest failed\n";
    std::abort();
  }
  sig.resize(len);
  uint32_t id = 0;
  if (keyid >= 0) {
    id = static_cast<uint32_t>(keyid);
  } else {
    absl::StatusOr<uint32_t> k = KeyIdV2(key);
    if (!k.ok()) std::abort();
    id = *k;
  }
  return SerializeSignatureV2(static_cast<uint8_t>(KernelHashAlgoId(algo)), id,
                              sig);
}

crypto::OsslPtr<EVP_PKEY> ReadPrivateKey(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) {
    std::cerr << "ReadPrivateKey: cannot open " << path << "\n";
    std::abort();
  }
  crypto::OsslPtr<EVP_PKEY> key(
      PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (key == nullptr) {
    std::cerr << "ReadPrivateKey: no key in " << path << "\n";
    std::abort();
  }
  return key;
}

std::string LogBuilder::Finish(absl::string_view tmpl, absl::string_view fields,
                               bool violation) {
  std::string zeros(40, '0');
  std::string line = absl::StrCat("10 ", zeros, " ", tmpl, " ", fields);
  Entry e;
  absl::Status s = ParseLine(line, lines_.size() + 1, &e);
  if (!s.ok()) {
    std::cerr << "LogBuilder: " << s << "\n";
    std::abort();
  }
  std::string td;
  BuildTemplateData(e, &td);
  if (!violation) {
    line = absl::StrCat("10 ", HexEncode(HashOf(HashAlgo::kSha1, td)), " ",
                        tmpl, " ", fields);
  }
  lines_.push_back(line);
  template_data_.push_back(td);
  violation_.push_back(violation);
  return line;
}

std::string LogBuilder::ImaNg(absl::string_view path, HashAlgo algo,
                              absl::string_view digest) {
  return Finish(
      "ima-ng",
      absl::StrCat(HashAlgoName(algo), ":", HexEncode(digest), " ", path),
      false);
}

std::string LogBuilder::ImaNgOf(absl::string_view path,
                                absl::string_view content, HashAlgo algo) {
  return ImaNg(path, algo, HashOf(algo, content));
}

std::string LogBuilder::ImaSig(absl::string_view path, HashAlgo algo,
                               absl::string_view digest,
                               absl::string_view sig) {
  return Finish("ima-sig",
                absl::StrCat(HashAlgoName(algo), ":", HexEncode(digest), " ",
                             path, " ", HexEncode(sig)),
                false);
}

std::string LogBuilder::ImaBuf(absl::string_view name, absl::string_view buf,
                               HashAlgo algo) {
  return Finish(
      "ima-buf",
      absl::StrCat(HashAlgoName(algo), ":", HexEncode(HashOf(algo, buf)), " ",
                   name, " ", HexEncode(buf)),
      false);
}

std::string LogBuilder::Ima(absl::string_view path,
                            absl::string_view sha1_digest) {
  return Finish("ima", absl::StrCat(HexEncode(sha1_digest), " ", path), false);
}

std::string LogBuilder::ImaModsig(absl::string_view path, HashAlgo algo,
                                  absl::string_view digest,
                                  absl::string_view sig,
                                  absl::string_view modsig_digest_field,
                                  absl::string_view modsig) {
  return Finish("ima-modsig",
                absl::StrCat(HashAlgoName(algo), ":", HexEncode(digest), " ",
                             path, " ", HexEncode(sig), " ",
                             modsig_digest_field, " ", HexEncode(modsig)),
                false);
}

std::string LogBuilder::Violation(absl::string_view path, HashAlgo algo) {
  return Finish(
      "ima-ng",
      absl::StrCat(HashAlgoName(algo), ":", std::string(40, '0'), " ", path),
      true);
}

void LogBuilder::Raw(absl::string_view line) {
  Entry e;
  absl::Status s = ParseLine(line, lines_.size() + 1, &e);
  std::string td;
  if (s.ok()) BuildTemplateData(e, &td);
  lines_.emplace_back(line);
  template_data_.push_back(td);
  violation_.push_back(s.ok() && e.violation);
}

std::vector<absl::string_view> LogBuilder::views() const {
  return std::vector<absl::string_view>(lines_.begin(), lines_.end());
}

std::string LogBuilder::Text() const {
  std::string out;
  for (const std::string& l : lines_) absl::StrAppend(&out, l, "\n");
  return out;
}

std::string LogBuilder::Pcr10(TPM2_ALG_ID bank, ExtendMode mode,
                              size_t entries) const {
  absl::StatusOr<HashAlgo> algo = HashAlgoFromBank(bank);
  if (!algo.ok()) std::abort();
  const size_t n = HashAlgoSize(*algo);
  std::string pcr(n, '\0');
  for (size_t i = 0; i < template_data_.size() && i < entries; ++i) {
    std::string v;
    if (violation_[i]) {
      v = mode == ExtendMode::kPaddedSha1
              ? std::string(20, '\xff') + std::string(n - 20, '\0')
              : std::string(n, '\xff');
    } else if (mode == ExtendMode::kPaddedSha1) {
      v = HashOf(HashAlgo::kSha1, template_data_[i]) +
          std::string(n - 20, '\0');
    } else {
      v = HashOf(*algo, template_data_[i]);
    }
    pcr = HashOf(*algo, pcr + v);
  }
  return pcr;
}

}  // namespace candor::ima::testing
