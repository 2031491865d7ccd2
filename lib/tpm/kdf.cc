#include "lib/tpm/kdf.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/crypto/ossl_error.h"
#include "lib/crypto/ossl_ptr.h"
#include "lib/status/status_macros.h"
#include "lib/tpm/public_key.h"

namespace candor::tpm {
namespace {

using crypto::OsslPtr;
using crypto::SecretBytes;
using crypto::SslError;

constexpr uint32_t kMaxBits = 65536;

std::string Be32(uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  return std::string(b, 4);
}

// The label with exactly one terminating NUL.
std::string TerminatedLabel(absl::string_view label) {
  std::string out(label);
  if (out.empty() || out.back() != '\0') out.push_back('\0');
  return out;
}

// The shared HMAC implementation (fetched once; EVP_MAC objects are
// immutable and may be used from many threads).
EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

absl::StatusOr<std::string> HmacParts(
    const EVP_MD* md, absl::string_view key,
    std::initializer_list<absl::string_view> parts) {
  if (md == nullptr || HmacAlgorithm() == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_fetch(HMAC)");
  }
  OsslPtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(HmacAlgorithm()));
  if (ctx == nullptr) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_CTX_new");
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(
          OSSL_MAC_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(md)), 0),
      OSSL_PARAM_construct_end()};
  static const unsigned char kNoKey = 0;
  const auto* k = key.empty()
                      ? &kNoKey
                      : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx.get(), k, key.size(), params) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_init(HMAC)");
  }
  for (absl::string_view part : parts) {
    if (EVP_MAC_update(ctx.get(),
                       reinterpret_cast<const unsigned char*>(part.data()),
                       part.size()) != 1) {
      return SslError(absl::StatusCode::kInternal, "EVP_MAC_update");
    }
  }
  std::string out(EVP_MAX_MD_SIZE, '\0');
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                    &len, out.size()) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_MAC_final");
  }
  out.resize(len);
  return out;
}

absl::StatusOr<std::string> DigestParts(
    const EVP_MD* md, std::initializer_list<absl::string_view> parts) {
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestInit_ex");
  }
  for (absl::string_view part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) {
      return SslError(absl::StatusCode::kInternal, "EVP_DigestUpdate");
    }
  }
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(
          ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    return SslError(absl::StatusCode::kInternal, "EVP_DigestFinal_ex");
  }
  out.resize(len);
  return out;
}

absl::Status CheckBits(absl::string_view kdf, uint32_t bits) {
  if (bits == 0 || bits > kMaxBits) {
    return absl::InvalidArgumentError(absl::StrCat(
        kdf, ": output size ", bits, " bits is outside 1..", kMaxBits));
  }
  return absl::OkStatus();
}

// Cuts `stream` to `bits` and clears the unused high bits of byte 0.
void Truncate(SecretBytes& stream, uint32_t bits) {
  stream.resize((bits + 7) / 8);
  if (bits % 8 != 0) {
    stream.u8data()[0] &= static_cast<unsigned char>((1u << (bits % 8)) - 1);
  }
}

}  // namespace

absl::StatusOr<std::string> Hmac(const EVP_MD* md, absl::string_view key,
                                 absl::string_view data) {
  return HmacParts(md, key, {data});
}

absl::StatusOr<SecretBytes> KdfA(TPMI_ALG_HASH hash, absl::string_view key,
                                 absl::string_view label,
                                 absl::string_view context_u,
                                 absl::string_view context_v, uint32_t bits) {
  ABSL_RETURN_IF_ERROR(CheckBits("KDFa", bits));
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(hash), _ << "KDFa");
  const std::string terminated = TerminatedLabel(label);
  const std::string size_in_bits = Be32(bits);
  SecretBytes stream;
  for (uint32_t i = 1; stream.size() * 8 < bits; ++i) {
    const std::string counter = Be32(i);
    ABSL_ASSIGN_OR_RETURN(
        std::string block,
        HmacParts(md, key,
                  {counter, terminated, context_u, context_v, size_in_bits}));
    stream.append(block);
    OPENSSL_cleanse(block.data(), block.size());
  }
  Truncate(stream, bits);
  return stream;
}

absl::StatusOr<SecretBytes> KdfE(TPMI_ALG_HASH hash, absl::string_view z,
                                 absl::string_view label,
                                 absl::string_view party_u_info,
                                 absl::string_view party_v_info,
                                 uint32_t bits) {
  ABSL_RETURN_IF_ERROR(CheckBits("KDFe", bits));
  ABSL_ASSIGN_OR_RETURN(const EVP_MD* md, tpm::TpmHashToEvp(hash), _ << "KDFe");
  const std::string terminated = TerminatedLabel(label);
  SecretBytes stream;
  for (uint32_t i = 1; stream.size() * 8 < bits; ++i) {
    const std::string counter = Be32(i);
    ABSL_ASSIGN_OR_RETURN(
        std::string block,
        DigestParts(md, {counter, z, terminated, party_u_info, party_v_info}));
    stream.append(block);
    OPENSSL_cleanse(block.data(), block.size());
  }
  Truncate(stream, bits);
  return stream;
}

}  // namespace candor::tpm
