// File: lib/eventlog/byte_reader.h
//
// Internal to lib/eventlog: a bounds-checked little-endian cursor over a byte
// string. Every read checks the remaining length first and returns false
// (leaving the cursor where it was) when the bytes are not there, so parsers
// built on it never read out of bounds. offset() is absolute: the position in
// the whole log, for error messages. Not thread-safe; does not own the data.
#ifndef CANDOR_LIB_EVENTLOG_BYTE_READER_H_
#define CANDOR_LIB_EVENTLOG_BYTE_READER_H_

#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace candor::eventlog::internal {

class ByteReader {
 public:
  explicit ByteReader(absl::string_view data, uint64_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  uint64_t offset() const { return base_ + pos_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }

  bool ReadU8(uint8_t* v) { return ReadLe(v); }
  bool ReadU16(uint16_t* v) { return ReadLe(v); }
  bool ReadU32(uint32_t* v) { return ReadLe(v); }
  bool ReadU64(uint64_t* v) { return ReadLe(v); }

  // The next `n` bytes (a view into the data).
  bool ReadBytes(uint64_t n, absl::string_view* out) {
    if (n > remaining()) return false;
    *out = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }

  bool Skip(uint64_t n) {
    if (n > remaining()) return false;
    pos_ += static_cast<size_t>(n);
    return true;
  }

  absl::string_view Rest() const { return data_.substr(pos_); }

 private:
  template <typename T>
  bool ReadLe(T* v) {
    if (sizeof(T) > remaining()) return false;
    T out = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      out |= static_cast<T>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    }
    *v = out;
    pos_ += sizeof(T);
    return true;
  }

  absl::string_view data_;
  uint64_t base_;
  size_t pos_ = 0;
};

}  // namespace candor::eventlog::internal

#endif  // CANDOR_LIB_EVENTLOG_BYTE_READER_H_
