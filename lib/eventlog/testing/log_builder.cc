#include "lib/eventlog/testing/log_builder.h"

#include "lib/eventlog/event_types.h"
#include "lib/eventlog/hashing.h"
#include "lib/tpm/pcr_values.h"

namespace candor::eventlog::testing {

std::string U16(uint16_t v) {
  return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
}
std::string U32(uint32_t v) { return U16(v & 0xffff) + U16(v >> 16); }
std::string U64(uint64_t v) {
  return U32(static_cast<uint32_t>(v)) + U32(static_cast<uint32_t>(v >> 32));
}

std::string Utf16(absl::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

std::string HashOf(TPM2_ALG_ID bank, absl::string_view data) {
  std::string out;
  if (!HashForBank(bank, data, &out)) {
    absl::StatusOr<size_t> size = tpm::BankDigestSize(bank);
    out.assign(size.ok() ? *size : 32, '\x5a');
  }
  return out;
}

LogBuilder::LogBuilder(std::vector<TPM2_ALG_ID> banks)
    : banks_(std::move(banks)) {}

LogBuilder& LogBuilder::SpecIdDigestSize(TPM2_ALG_ID bank, uint16_t size) {
  size_override_[bank] = size;
  return *this;
}

LogBuilder& LogBuilder::SpecIdUintnSize(uint8_t size) {
  uintn_size_ = size;
  return *this;
}

LogBuilder& LogBuilder::Add(uint32_t pcr, uint32_t type,
                            absl::string_view data) {
  return AddHashed(pcr, type, data, data);
}

LogBuilder& LogBuilder::AddHashed(uint32_t pcr, uint32_t type,
                                  absl::string_view data,
                                  absl::string_view hashed) {
  events_ += U32(pcr) + U32(type) + U32(static_cast<uint32_t>(banks_.size()));
  for (TPM2_ALG_ID bank : banks_) {
    auto o = size_override_.find(bank);
    std::string d = type == kEvNoAction
                        ? std::string(HashOf(bank, "").size(), '\0')
                        : HashOf(bank, hashed);
    if (o != size_override_.end()) d.resize(o->second, '\x5a');
    events_ += U16(bank) + d;
  }
  events_ += U32(static_cast<uint32_t>(data.size()));
  events_.append(data.data(), data.size());
  return *this;
}

LogBuilder& LogBuilder::AddWithDigests(
    uint32_t pcr, uint32_t type, absl::string_view data,
    const std::map<TPM2_ALG_ID, std::string>& digests) {
  events_ += U32(pcr) + U32(type) + U32(static_cast<uint32_t>(digests.size()));
  for (const auto& [bank, d] : digests) events_ += U16(bank) + d;
  events_ += U32(static_cast<uint32_t>(data.size()));
  events_.append(data.data(), data.size());
  return *this;
}

LogBuilder& LogBuilder::AddRaw(absl::string_view bytes) {
  events_.append(bytes.data(), bytes.size());
  return *this;
}

std::string LogBuilder::Build() const {
  std::string spec("Spec ID Event03\0", 16);
  spec += U32(0) + std::string{0, 2, 0, static_cast<char>(uintn_size_)};
  spec += U32(static_cast<uint32_t>(banks_.size()));
  for (TPM2_ALG_ID bank : banks_) {
    auto o = size_override_.find(bank);
    absl::StatusOr<size_t> size = tpm::BankDigestSize(bank);
    uint16_t s = o != size_override_.end() ? o->second
                 : size.ok()               ? static_cast<uint16_t>(*size)
                                           : 32;
    spec += U16(bank) + U16(s);
  }
  spec.push_back('\0');  // vendorInfoSize
  std::string out = U32(0) + U32(kEvNoAction) + std::string(20, '\0') +
                    U32(static_cast<uint32_t>(spec.size())) + spec;
  return out + events_;
}

std::string VariableData(const Guid& vendor, absl::string_view ascii_name,
                         absl::string_view data) {
  std::string out(reinterpret_cast<const char*>(vendor.bytes.data()), 16);
  out += U64(ascii_name.size()) + U64(data.size()) + Utf16(ascii_name);
  out.append(data.data(), data.size());
  return out;
}

std::string SignatureList(
    const Guid& type, const std::vector<std::pair<Guid, std::string>>& sigs) {
  uint32_t sig_size = sigs.empty() ? 16 : 16 + sigs[0].second.size();
  std::string out(reinterpret_cast<const char*>(type.bytes.data()), 16);
  out += U32(28 + sig_size * sigs.size()) + U32(0) + U32(sig_size);
  for (const auto& [owner, data] : sigs) {
    out.append(reinterpret_cast<const char*>(owner.bytes.data()), 16);
    out += data;
  }
  return out;
}

std::string FileDevicePath(absl::string_view ascii_path) {
  std::string name = Utf16(ascii_path) + std::string(2, '\0');
  return std::string{4, 4} + U16(4 + name.size()) + name +
         std::string{0x7f, static_cast<char>(0xff), 4, 0};
}

std::string FirmwareVolumeDevicePath(const Guid& volume, const Guid& file) {
  auto node = [](char sub, const Guid& g) {
    return std::string{4, sub} + U16(20) +
           std::string(reinterpret_cast<const char*>(g.bytes.data()), 16);
  };
  return node(7, volume) + node(6, file) +
         std::string{0x7f, static_cast<char>(0xff), 4, 0};
}

std::string ImageLoadData(absl::string_view device_path,
                          uint64_t image_length) {
  return U64(0x7f000000) + U64(image_length) + U64(0) +
         U64(device_path.size()) + std::string(device_path);
}

std::string StartupLocalityData(uint8_t locality) {
  return std::string("StartupLocality\0", 16) +
         std::string(1, static_cast<char>(locality));
}

}  // namespace candor::eventlog::testing
