// One scan's payload → what it means. Runs on every scan from every device, so it takes any bytes
// (keyboard wedges, serial lines, camera decodes, HTTP posts) and never fails: what breaks GTIN or GS1
// rules is `malformed` with a reason a picker can read, anything else that is not a code is `text`.
#include <algorithm>

#include <fmt/format.h>

#include <pickverify/codes.hpp>
#include <pickverify/text.hpp>

#include "gs1_ai_table.hpp"

namespace pickverify {

namespace {

constexpr char k_group_separator = '\x1d';

// Keyboard-wedge and serial scanners end each scan with CR, LF or Tab.
std::string_view without_line_end(std::string_view data)
{
  while (!data.empty() && (data.back() == '\r' || data.back() == '\n' || data.back() == '\t')) {
    data.remove_suffix(1);
  }
  return data;
}

// AIM prefixes use an uppercase or digit modifier; "]ok" at the start of a text is not one.
std::optional<AimId> aim_prefix(std::string_view data)
{
  if (data.size() < 3) {
    return std::nullopt;
  }
  auto aim = parse_aim(data.substr(0, 3));
  if (aim && !(text::is_digit(aim->modifier) || (aim->modifier >= 'A' && aim->modifier <= 'Z'))) {
    return std::nullopt;
  }
  return aim;
}

void set_malformed(ParsedCode& code, std::string reason)
{
  code.kind = CodeKind::malformed;
  code.reason = std::move(reason);
  code.gtin14.clear();
  code.alternates.clear();
  code.fields.clear();
  code.contained = false;
  code.contained_count = 0;
}

void set_gtin(ParsedCode& code, std::string gtin14)
{
  code.kind = is_restricted_circulation(gtin14) ? CodeKind::variable_measure : CodeKind::gtin;
  code.gtin14 = std::move(gtin14);
}

void set_gs1(ParsedCode& code, std::vector<Gs1Field> fields)
{
  code.fields = std::move(fields);
  for (const char* key : {"01", "02"}) {
    const auto found =
        std::find_if(code.fields.begin(), code.fields.end(), [&](const Gs1Field& field) { return field.ai == key; });
    if (found != code.fields.end()) {
      set_gtin(code, found->value);
      code.contained = found->ai == "02";
      const auto count =
          std::find_if(code.fields.begin(), code.fields.end(), [](const Gs1Field& field) { return field.ai == "37"; });
      if (code.contained && count != code.fields.end()) {
        code.contained_count = 0;
        for (char digit : count->value) { // N..8, digits checked by the parser
          code.contained_count = code.contained_count * 10 + (digit - '0');
        }
      }
      return;
    }
  }
  code.kind = CodeKind::gs1_other;
}

bool has_key_field(const std::vector<Gs1Field>& fields)
{
  return std::any_of(fields.begin(), fields.end(),
                     [](const Gs1Field& field) { return field.ai == "00" || field.ai == "01" || field.ai == "02"; });
}

// Long enough to hold an SSCC (00) or a GTIN (01, 02) after its AI.
bool starts_with_key_ai(std::string_view data)
{
  const auto ai = data.substr(0, 2);
  return (ai == "00" && data.size() >= 20) || ((ai == "01" || ai == "02") && data.size() >= 16);
}

// "(01)…" with a known AI in the brackets: printed human-readable text, typed or sent by an app.
bool looks_like_hri(std::string_view data)
{
  if (data.size() < 4 || data[0] != '(') {
    return false;
  }
  const auto close = data.substr(0, 6).find(')');
  if (close == std::string_view::npos || close < 3) {
    return false;
  }
  const auto ai = data.substr(1, close - 1);
  return std::all_of(ai.begin(), ai.end(), text::is_digit) && gs1::find_ai(ai) != nullptr;
}

void classify_gs1(ParsedCode& code, std::string_view data)
{
  auto fields = data.substr(0, 1) == "(" ? parse_gs1_hri(data) : parse_gs1_element_string(data);
  if (!fields) {
    set_malformed(code, fields.error().message);
    return;
  }
  set_gs1(code, std::move(*fields));
}

void classify_digital_link(ParsedCode& code, std::string_view uri)
{
  auto fields = parse_gs1_digital_link(uri);
  if (!fields) {
    set_malformed(code, fields.error().message);
    return;
  }
  set_gs1(code, std::move(*fields));
}

// EAN/UPC, ITF and keyboard input carry GTINs: digits there that break GTIN rules are malformed.
// Other symbologies (Code 128, Code 39, QR, ...) carry any number: a tracking or bin number there
// that fails a GTIN check digit is text, not a broken GTIN.
bool carries_gtins(const std::optional<AimId>& aim)
{
  return !aim || aim->code == 'E' || aim->code == 'I' || aim->code == 'Z';
}

void classify_gtin_digits(ParsedCode& code, std::string_view digits)
{
  auto gtin14 = normalize_gtin(digits);
  if (gtin14) {
    set_gtin(code, std::move(*gtin14));
  } else if (carries_gtins(code.aim)) {
    set_malformed(code, gtin14.error().message);
  }
}

// Eight digits without an AIM id are EAN-8 or UPC-E; both can have a valid check digit.
void classify_eight_digits_without_aim(ParsedCode& code, std::string_view digits)
{
  auto ean8 = normalize_gtin(digits);
  std::optional<std::string> upce14;
  if (auto upca = expand_upce(digits)) {
    if (auto normalized = normalize_gtin(*upca)) {
      upce14 = std::move(*normalized);
    }
  }
  if (ean8) {
    set_gtin(code, std::move(*ean8));
    if (upce14) {
      code.alternates.push_back(std::move(*upce14));
    }
  } else if (upce14) {
    set_gtin(code, std::move(*upce14));
  } else {
    set_malformed(code, ean8.error().message);
  }
}

// ]E3: the main symbol followed by a 2- or 5-digit add-on (periodical issue, price).
void classify_with_add_on(ParsedCode& code, std::string_view digits)
{
  switch (digits.size()) {
  case 15:
  case 18:
    classify_gtin_digits(code, digits.substr(0, 13));
    return;
  case 14:
  case 17:
    classify_gtin_digits(code, digits.substr(0, 12));
    return;
  case 10:
  case 13:
    if (auto upca = expand_upce(digits.substr(0, 8))) {
      classify_gtin_digits(code, *upca);
    } else {
      set_malformed(code, upca.error().message);
    }
    return;
  default:
    set_malformed(code, fmt::format("not an EAN/UPC with add-on: {} digits", digits.size()));
  }
}

void classify_digits(ParsedCode& code, std::string_view digits)
{
  const auto& aim = code.aim;
  const char symbology = aim ? aim->code : '\0';
  const char modifier = aim ? aim->modifier : '\0';
  const auto length = digits.size();

  if (symbology == 'E' && modifier == '4') {
    if (length != 8) {
      set_malformed(code, fmt::format("not an EAN-8: {} digits", length));
      return;
    }
    classify_gtin_digits(code, digits);
    return;
  }
  if (symbology == 'E' && modifier == '3') {
    classify_with_add_on(code, digits);
    return;
  }
  if (symbology == 'E' && modifier == '0' && length == 8) {
    auto upca = expand_upce(digits);
    if (!upca) {
      set_malformed(code, upca.error().message);
      return;
    }
    classify_gtin_digits(code, *upca);
    return;
  }
  if (length == 8 && !aim) {
    classify_eight_digits_without_aim(code, digits);
    return;
  }
  if (length == 8 || length == 12 || length == 13 || length == 14) {
    classify_gtin_digits(code, digits);
    return;
  }
  // Keyboard-wedge scanners drop the FNC1 of a GS1-128: "0109506000134352" and more arrive as
  // plain digits. An EAN/UPC symbol cannot hold such data.
  // Only a string that holds an SSCC or a GTIN counts: "95…" or "10…" parse as an internal or
  // batch field, but alone they are no GS1 label.
  if (symbology != 'E') {
    auto fields = parse_gs1_element_string(digits);
    if (fields && has_key_field(*fields)) {
      set_gs1(code, std::move(*fields));
      return;
    }
    if (!fields && starts_with_key_ai(digits)) {
      set_malformed(code, fields.error().message);
      return;
    }
  }
  if (carries_gtins(aim)) {
    set_malformed(code, fmt::format("not a GTIN: {} digit{}", length, length == 1 ? "" : "s"));
  }
}

// Data with letters and no GS1 AIM id: a GS1 string from a scanner that sends no AIM id, or text.
void classify_other(ParsedCode& code, std::string_view data)
{
  const bool has_separator = data.find(k_group_separator) != std::string_view::npos;
  const std::string_view payload = data;
  // Some keyboard wedges send the leading FNC1 as GS too.
  while (!data.empty() && data.front() == k_group_separator) {
    data.remove_prefix(1);
  }
  const bool starts_with_ai_digits = data.size() >= 2 && text::is_digit(data[0]) && text::is_digit(data[1]);
  if (!starts_with_ai_digits) {
    return;
  }
  // Without a separator only a leading SSCC or GTIN with a valid check digit makes GS1 likely
  // enough; "20 PCS" or a serial number stays text.
  const bool starts_with_key =
      (data.substr(0, 2) == "00" && data.size() >= 20 && has_valid_gtin_check_digit(data.substr(2, 18))) ||
      ((data.substr(0, 2) == "01" || data.substr(0, 2) == "02") && data.size() >= 16 &&
       has_valid_gtin_check_digit(data.substr(2, 14)));
  if (!has_separator && !starts_with_key) {
    return;
  }
  auto fields = parse_gs1_element_string(payload);
  if (fields) {
    set_gs1(code, std::move(*fields));
  } else if (has_separator) {
    set_malformed(code, fields.error().message);
  }
}

} // namespace

std::string_view to_string(CodeKind kind)
{
  switch (kind) {
  case CodeKind::gtin:
    return "gtin";
  case CodeKind::variable_measure:
    return "variable_measure";
  case CodeKind::gs1_other:
    return "gs1_other";
  case CodeKind::text:
    return "text";
  case CodeKind::malformed:
    return "malformed";
  }
  return "unknown";
}

ParsedCode parse_code(std::string_view raw, std::optional<std::string_view> device_aim, const ParseOptions& options)
{
  ParsedCode code;
  std::string_view data = raw;
  const auto prefixed = aim_prefix(data);
  if (prefixed) {
    data.remove_prefix(3);
  }
  const auto reported = device_aim ? parse_aim(*device_aim) : std::nullopt;
  code.aim = reported ? reported : prefixed;
  data = without_line_end(data);
  code.data = std::string(data);

  if (code.aim && code.aim->is_gs1()) {
    classify_gs1(code, data);
  } else if (looks_like_hri(data)) {
    classify_gs1(code, data);
  } else if (gs1::looks_like_digital_link(data)) {
    classify_digital_link(code, data);
  } else if (!data.empty() && text::all_digits(data)) {
    classify_digits(code, data);
  } else {
    classify_other(code, data);
  }
  if (!code.fields.empty() && code.kind != CodeKind::malformed) {
    if (auto problem = gs1_association_problem(code.fields, options.gs1_requisite_ais)) {
      set_malformed(code, std::move(*problem));
      code.breaks_association = true;
    }
  }
  return code;
}

} // namespace pickverify
