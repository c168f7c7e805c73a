#include <pickverify/error.hpp>

namespace pickverify {

std::string_view to_string(ErrorType type)
{
  switch (type) {
  case ErrorType::invalid_input:
    return "invalid input";
  case ErrorType::not_found:
    return "not found";
  case ErrorType::conflict:
    return "conflict";
  case ErrorType::io:
    return "i/o error";
  case ErrorType::corrupt:
    return "corrupt data";
  case ErrorType::device_offline:
    return "device offline";
  case ErrorType::unsupported:
    return "unsupported";
  case ErrorType::internal:
    return "internal error";
  }
  return "unknown error";
}

} // namespace pickverify
