// parse_code and the GS1 parsers take bytes from any scanner, camera or HTTP client: no input may
// crash them, and what they return must keep its promises (a GTIN has 14 digits and a valid check
// digit, a malformed code has a reason, GS1 fields render back to the same fields).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <pickverify/codes.hpp>

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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);

  check_promises(pickverify::parse_code(input));
  // The same payload as if the device had reported its first three bytes as the AIM id.
  if (size >= 3) {
    check_promises(pickverify::parse_code(input.substr(3), input.substr(0, 3)));
  }

  if (auto fields = pickverify::parse_gs1_hri(input)) {
    require(!fields->empty());
    (void)pickverify::to_hri(*fields);
  }
  (void)pickverify::normalize_gtin(input);
  (void)pickverify::expand_upce(input);
  return 0;
}
