// File: lib/status/status_builder.h
//
// StatusBuilder: a non-OK absl::Status being returned, to which context can be
// appended with operator<<, as in Abseil's newer status_macros.h:
//
//   ABSL_RETURN_IF_ERROR(ReadNv(index)) << "reading the EK certificate";
//
// turns "Esys_NV_Read: TPM_RC_NV_LOCKED" into
// "Esys_NV_Read: TPM_RC_NV_LOCKED; reading the EK certificate". The code is kept.
// A StatusBuilder converts to absl::Status and to any absl::StatusOr<T>.
#ifndef CANDOR_LIB_STATUS_STATUS_BUILDER_H_
#define CANDOR_LIB_STATUS_STATUS_BUILDER_H_

#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace candor {

class StatusBuilder {
 public:
  explicit StatusBuilder(absl::Status status) : status_(std::move(status)) {}

  // Appends `value` (anything std::ostream prints) to the context message.
  template <typename T>
  StatusBuilder& operator<<(const T& value) & {
    if (!status_.ok()) stream_ << value;
    return *this;
  }
  template <typename T>
  StatusBuilder&& operator<<(const T& value) && {
    return std::move(*this << value);
  }

  // The status with the context appended after "; " (if any was given).
  absl::Status status() const {
    std::string extra = stream_.str();
    if (status_.ok() || extra.empty()) return status_;
    absl::Status out(status_.code(), absl::StrCat(status_.message(), "; ", extra));
    status_.ForEachPayload([&out](absl::string_view url, const absl::Cord& p) {
      out.SetPayload(url, p);
    });
    return out;
  }

  operator absl::Status() const { return status(); }  // NOLINT: implicit by design

  template <typename T>
  operator absl::StatusOr<T>() const {  // NOLINT: implicit by design
    return absl::StatusOr<T>(status());
  }

 private:
  absl::Status status_;
  std::ostringstream stream_;
};

}  // namespace candor

#endif  // CANDOR_LIB_STATUS_STATUS_BUILDER_H_
