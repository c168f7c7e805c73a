// parse_code and the GS1 parsers take bytes from any scanner, camera or HTTP client: no input may
// crash them, and what they return must keep its promises (a GTIN has 14 digits and a valid check
// digit, a malformed code has a reason, GS1 fields render back to the same fields).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <pickverify/codes.hpp>

#include "transcript.hpp"

namespace {

void require(bool condition)
{
  if (!condition) {
    __builtin_trap();
  }
}

bool same_fields(const std::vector<pickverify::Gs1Field>& a, const std::vector<pickverify::Gs1Field>& b)
{
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].ai != b[i].ai || a[i].value != b[i].value) {
      return false;
    }
  }
  return true;
}

void check_promises(const pickverify::ParsedCode& code)
{
  using pickverify::CodeKind;
  if (code.kind == CodeKind::gtin || code.kind == CodeKind::variable_measure) {
    require(code.gtin14.size() == 14);
    require(pickverify::has_valid_gtin_check_digit(code.gtin14));
    require((code.kind == CodeKind::variable_measure) == pickverify::is_restricted_circulation(code.gtin14));
  } else {
    require(code.gtin14.empty());
  }
  for (const auto& alternate : code.alternates) {
    require(alternate.size() == 14 && pickverify::has_valid_gtin_check_digit(alternate));
  }
  require((code.kind == CodeKind::malformed) == !code.reason.empty());
  if (!code.fields.empty()) {
    const auto again = pickverify::parse_gs1_element_string(pickverify::to_element_string(code.fields));
    require(again.has_value() && same_fields(*again, code.fields));
  }
  (void)pickverify::to_string(code.kind);
  if (code.aim) {
    (void)code.aim->symbology_name();
  }
}

} // namespace

namespace {

void describe(pickverify::fuzz::Transcript& out, std::string_view label, const pickverify::ParsedCode& code)
{
  using pickverify::fuzz::printable;
  std::string alternates;
  for (const auto& alternate : code.alternates) {
    alternates += (alternates.empty() ? "" : ",") + alternate;
  }
  out.line("{}: {} aim {} data \"{}\" gtin {} alternates {} fields {} reason \"{}\"{}", label,
           pickverify::to_string(code.kind), code.aim ? printable(code.aim->to_string()) : "-", printable(code.data),
           code.gtin14.empty() ? "-" : code.gtin14, alternates.empty() ? "-" : alternates,
           code.fields.empty() ? "-" : printable(pickverify::to_hri(code.fields)), printable(code.reason),
           code.breaks_association ? " (breaks an association)" : "");
}

template <typename T> std::string outcome(const pickverify::Result<T>& result)
{
  if (!result) {
    return "error: " + pickverify::fuzz::printable(result.error().message);
  }
  if constexpr (std::is_same_v<T, std::string>) {
    return pickverify::fuzz::printable(*result);
  } else {
    return pickverify::fuzz::printable(pickverify::to_hri(*result));
  }
}

} // namespace

// What the parsers make of one input, after checking their promises (see transcript.hpp).
std::string fuzz_parse_code_transcript(const std::uint8_t* bytes, std::size_t size)
{
  pickverify::fuzz::Transcript out;
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  const auto code = pickverify::parse_code(input);
  check_promises(code);
  describe(out, "parse_code", code);
  // The same payload as if the device had reported its first three bytes as the AIM id.
  if (size >= 3) {
    const auto split = pickverify::parse_code(input.substr(3), input.substr(0, 3));
    check_promises(split);
    describe(out, "with device aim", split);
  }
  const auto hri = pickverify::parse_gs1_hri(input);
  if (hri) {
    require(!hri->empty());
  }
  out.line("parse_gs1_hri: {}", outcome(hri));
  out.line("normalize_gtin: {}", outcome(pickverify::normalize_gtin(input)));
  out.line("expand_upce: {}", outcome(pickverify::expand_upce(input)));
  return out.text();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
  (void)fuzz_parse_code_transcript(bytes, size);
  return 0;
}
