#include "lib/ima/template_data.h"

#include <cstdint>
#include <cstring>

#include "lib/ima/hex.h"

namespace candor::ima {
namespace {

// Writes into a buffer sized in advance.
class Writer {
 public:
  explicit Writer(char* p) : p_(p) {}
  void Le32(uint32_t v) {
    p_[0] = static_cast<char>(v & 0xFF);
    p_[1] = static_cast<char>((v >> 8) & 0xFF);
    p_[2] = static_cast<char>((v >> 16) & 0xFF);
    p_[3] = static_cast<char>((v >> 24) & 0xFF);
    p_ += 4;
  }
  void Bytes(const void* data, size_t n) {
    if (n != 0) std::memcpy(p_, data, n);
    p_ += n;
  }
  void Byte(char c) { *p_++ = c; }
  void Zeros(size_t n) {
    std::memset(p_, 0, n);
    p_ += n;
  }
  // The hex was validated by ParseLine.
  void Hex(absl::string_view hex) {
    HexDecodeTo(hex, reinterpret_cast<uint8_t*>(p_));
    p_ += hex.size() / 2;
  }

 private:
  char* p_;
};

size_t DigestNgSize(absl::string_view algo_name, const Digest& d) {
  return algo_name.size() + 2 + d.size;
}

void PutDigestNg(Writer& w, absl::string_view algo_name, const Digest& d) {
  w.Le32(static_cast<uint32_t>(DigestNgSize(algo_name, d)));
  w.Bytes(algo_name.data(), algo_name.size());
  w.Byte(':');
  w.Byte('\0');
  w.Bytes(d.bytes, d.size);
}

void PutName(Writer& w, absl::string_view name) {
  w.Le32(static_cast<uint32_t>(name.size() + 1));
  w.Bytes(name.data(), name.size());
  w.Byte('\0');
}

void PutHexField(Writer& w, absl::string_view hex) {
  w.Le32(static_cast<uint32_t>(hex.size() / 2));
  w.Hex(hex);
}

}  // namespace

void BuildTemplateData(const Entry& e, std::string* out) {
  if (e.tmpl == Template::kIma) {
    out->resize(e.digest.size + kImaNameMax + 1);
    Writer w(&(*out)[0]);
    w.Bytes(e.digest.bytes, e.digest.size);
    w.Bytes(e.path.data(), e.path.size());
    w.Zeros(kImaNameMax + 1 - e.path.size());
    return;
  }
  size_t size = 4 + DigestNgSize(e.algo_name, e.digest) + 4 + e.path.size() + 1;
  switch (e.tmpl) {
    case Template::kImaSig:
      size += 4 + e.sig_hex.size() / 2;
      break;
    case Template::kImaBuf:
      size += 4 + e.buf_hex.size() / 2;
      break;
    case Template::kImaModsig:
      size += 4 + e.sig_hex.size() / 2 + 4 + 4 + e.modsig_hex.size() / 2;
      if (!e.modsig_digest_field.empty()) {
        size += DigestNgSize(e.modsig_algo_name, e.modsig_digest);
      }
      break;
    default:
      break;
  }
  out->resize(size);
  Writer w(&(*out)[0]);
  PutDigestNg(w, e.algo_name, e.digest);
  PutName(w, e.path);
  switch (e.tmpl) {
    case Template::kImaSig:
      PutHexField(w, e.sig_hex);
      break;
    case Template::kImaBuf:
      PutHexField(w, e.buf_hex);
      break;
    case Template::kImaModsig:
      PutHexField(w, e.sig_hex);
      if (e.modsig_digest_field.empty()) {
        w.Le32(0);
      } else {
        PutDigestNg(w, e.modsig_algo_name, e.modsig_digest);
      }
      PutHexField(w, e.modsig_hex);
      break;
    default:
      break;
  }
}

}  // namespace candor::ima
