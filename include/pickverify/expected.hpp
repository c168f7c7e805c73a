// Early returns for Result<T> (ccache's util/expected.hpp is the model). A failure travels up from the
// enclosing function, with the context of what it was doing where the caller can add one (DESIGN.md:
// "controller: heartbeat: timed out"):
//
//   PV_TRY(store.save_orders(orders));                          // forward as it is
//   PV_TRY(store.save_orders(orders), "demo orders");           // "demo orders: <message>"
//   PV_TRY_ASSIGN(auto order, store.find_order(id), fmt::format("order {}", id));
//   use(order);                                                 // the value, not the Result
//
// The context is evaluated only on failure. Both are statements: use them inside braces, never as the
// body of an unbraced if.
#pragma once

#include <string_view>
#include <utility>

#include <tl/expected.hpp>

#include <pickverify/error.hpp>

namespace pickverify::expected_detail {

template <typename E> E propagate(E error)
{
  return error;
}

inline Error propagate(const Error& error, std::string_view context)
{
  return error.with_context(context);
}

} // namespace pickverify::expected_detail

#define PV_EXPECTED_CAT2_(a, b) a##b
#define PV_EXPECTED_CAT_(a, b) PV_EXPECTED_CAT2_(a, b)

// Returns the error of `expr_` (a Result) from the enclosing function, prefixed with the optional context.
#define PV_TRY(expr_, ...)                                                                                             \
  do {                                                                                                                 \
    auto&& pv_try_result_ = (expr_);                                                                                   \
    if (!pv_try_result_) {                                                                                             \
      return ::tl::unexpected(                                                                                         \
          ::pickverify::expected_detail::propagate(pv_try_result_.error() __VA_OPT__(, ) __VA_ARGS__));                \
    }                                                                                                                  \
  } while (false)

// Declares or assigns `var_` (e.g. `auto order`) from the value of `expr_`, or returns its error as PV_TRY does.
#define PV_TRY_ASSIGN(var_, expr_, ...)                                                                                \
  PV_TRY_ASSIGN_IMPL_(PV_EXPECTED_CAT_(pv_try_assign_, __LINE__), var_, expr_ __VA_OPT__(, ) __VA_ARGS__)

#define PV_TRY_ASSIGN_IMPL_(result_, var_, expr_, ...)                                                                 \
  auto result_ = (expr_);                                                                                              \
  if (!result_) {                                                                                                      \
    return ::tl::unexpected(::pickverify::expected_detail::propagate(result_.error() __VA_OPT__(, ) __VA_ARGS__));     \
  }                                                                                                                    \
  var_ = std::move(*result_)
