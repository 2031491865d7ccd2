#include "lib/ima/hasher.h"

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"

namespace candor::ima {

absl::StatusOr<Hasher> Hasher::Create(HashAlgo algo) {
  const char* name = HashAlgoOpensslName(algo);
  if (name == nullptr) {
    return absl::InvalidArgumentError("Hasher: unknown hash algorithm");
  }
  crypto::OsslPtr<EVP_MD> md(EVP_MD_fetch(nullptr, name, nullptr));
  if (md == nullptr) {
    return crypto::SslError(absl::StatusCode::kInternal,
                            absl::StrCat("EVP_MD_fetch(", name, ")"));
  }
  crypto::OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) {
    return crypto::SslError(absl::StatusCode::kInternal, "EVP_MD_CTX_new");
  }
  const size_t size = static_cast<size_t>(EVP_MD_get_size(md.get()));
  if (size != HashAlgoSize(algo)) {
    return absl::InternalError(absl::StrCat("Hasher: ", name, " has size ",
                                            size, ", expected ",
                                            HashAlgoSize(algo)));
  }
  return Hasher(algo, size, std::move(md), std::move(ctx));
}

bool Hasher::Hash(absl::string_view data, uint8_t* out) {
  return EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) == 1 &&
         EVP_DigestFinal_ex(ctx_.get(), out, nullptr) == 1;
}

bool Hasher::Hash2(absl::string_view a, absl::string_view b, uint8_t* out) {
  return EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) == 1 &&
         EVP_DigestUpdate(ctx_.get(), a.data(), a.size()) == 1 &&
         EVP_DigestUpdate(ctx_.get(), b.data(), b.size()) == 1 &&
         EVP_DigestFinal_ex(ctx_.get(), out, nullptr) == 1;
}

absl::StatusOr<std::string> Hasher::Digest(absl::string_view data) {
  std::string out(size_, '\0');
  if (!Hash(data, reinterpret_cast<uint8_t*>(&out[0]))) {
    return crypto::SslError(absl::StatusCode::kInternal, "EVP_Digest");
  }
  return out;
}

}  // namespace candor::ima
