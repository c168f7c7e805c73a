// Errors as values. Expected failures return tl::expected<T, Error>; nothing throws across the
// public API. "Nothing found" is an empty result, never an error.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace pickverify {

enum class ErrorType {
  invalid_input,  // the caller's data is wrong (bad file line, bad barcode text, bad option)
  not_found,      // a named thing does not exist (order, item, device)
  conflict,       // the operation is not allowed in the current state
  io,             // the file system, a device or the database failed
  corrupt,        // stored data fails its own checks (schema too new, broken chain)
  device_offline, // hardware that is needed is not there
  unsupported,    // the platform or the library cannot do it
  internal,       // a bug: an invariant did not hold
};

std::string_view to_string(ErrorType type);

struct Error {
  ErrorType type = ErrorType::internal;
  std::string message;

  // Adds context as the error travels up: "controller: heartbeat: timed out".
  Error with_context(std::string_view context) const { return Error{type, std::string(context) + ": " + message}; }
};

template <typename T> using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> make_error(ErrorType type, std::string message)
{
  return tl::unexpected<Error>(Error{type, std::move(message)});
}

} // namespace pickverify
