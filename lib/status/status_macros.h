// File: lib/status/status_macros.h
//
// ABSL_RETURN_IF_ERROR and ABSL_ASSIGN_OR_RETURN, as Abseil ships them from LTS
// 20260526 on. Debian's Abseil 20220623 has neither, so these local equivalents
// use the same names; when Abseil catches up this header goes away and callers
// stay as they are.
//
//   ABSL_RETURN_IF_ERROR(DoThing());
//   ABSL_RETURN_IF_ERROR(DoThing()) << "while doing the thing for " << id;
//   ABSL_ASSIGN_OR_RETURN(Foo foo, MakeFoo());
//   ABSL_ASSIGN_OR_RETURN(auto foo, MakeFoo(), _ << "making foo " << name);
//
// `expr` may return absl::Status or absl::StatusOr<T>. The enclosing function
// returns absl::Status or any absl::StatusOr<U>. The code of the error is kept.
#ifndef CANDOR_LIB_STATUS_STATUS_MACROS_H_
#define CANDOR_LIB_STATUS_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/status/status_builder.h"

namespace candor::status_internal {

inline const absl::Status& AsStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& AsStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace candor::status_internal

#define CANDOR_STATUS_CONCAT_INNER_(a, b) a##b
#define CANDOR_STATUS_CONCAT_(a, b) CANDOR_STATUS_CONCAT_INNER_(a, b)

#ifndef ABSL_RETURN_IF_ERROR
#define ABSL_RETURN_IF_ERROR(expr)                                        \
  if (const auto& candor_status_ = (expr);                                \
      ::candor::status_internal::AsStatus(candor_status_).ok()) {         \
  } else /* NOLINT */                                                      \
    return ::candor::StatusBuilder(                                       \
        ::candor::status_internal::AsStatus(candor_status_))
#endif

#ifndef ABSL_ASSIGN_OR_RETURN
#define CANDOR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr, error_expr)    \
  auto statusor = (rexpr);                                                \
  if (!statusor.ok()) {                                                   \
    ::candor::StatusBuilder _(std::move(statusor).status());              \
    (void)_;                                                              \
    return (error_expr);                                                  \
  }                                                                       \
  lhs = std::move(statusor).value()

#define CANDOR_ASSIGN_OR_RETURN_2_(lhs, rexpr)                            \
  CANDOR_ASSIGN_OR_RETURN_IMPL_(                                          \
      CANDOR_STATUS_CONCAT_(candor_statusor_, __LINE__), lhs, rexpr, _)
#define CANDOR_ASSIGN_OR_RETURN_3_(lhs, rexpr, error_expr)                \
  CANDOR_ASSIGN_OR_RETURN_IMPL_(                                          \
      CANDOR_STATUS_CONCAT_(candor_statusor_, __LINE__), lhs, rexpr,       \
      error_expr)
#define CANDOR_ASSIGN_OR_RETURN_PICK_(_1, _2, _3, name, ...) name
#define ABSL_ASSIGN_OR_RETURN(...)                                        \
  CANDOR_ASSIGN_OR_RETURN_PICK_(__VA_ARGS__, CANDOR_ASSIGN_OR_RETURN_3_,   \
                                CANDOR_ASSIGN_OR_RETURN_2_, unused_)       \
  (__VA_ARGS__)
#endif

#endif  // CANDOR_LIB_STATUS_STATUS_MACROS_H_
