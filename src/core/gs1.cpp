// GS1 element strings (as scanners transmit them) and their human-readable form (as printed under
// the barcode), both checked field by field against the AI table.
#include <algorithm>

#include <fmt/format.h>

#include <pickverify/codes.hpp>
#include <pickverify/text.hpp>

#include "gs1_ai_table.hpp"

namespace pickverify {

namespace {

constexpr char k_group_separator = '\x1d';
// Some scanners pass the leading FNC1 through as its Data Matrix codeword value.
constexpr char k_fnc1_codeword = '\xe8';

tl::unexpected<Error> field_error(std::string_view ai, std::string_view problem)
{
  return make_error(ErrorType::invalid_input, fmt::format("AI ({}): {}", ai, problem));
}

tl::unexpected<Error> no_ai_error(std::string_view rest, std::size_t position)
{
  const bool starts_with_digits = rest.size() >= 2 && text::is_digit(rest[0]) && text::is_digit(rest[1]);
  if (starts_with_digits) {
    return make_error(ErrorType::invalid_input,
                      fmt::format("unknown AI at position {}: {}", position + 1, gs1::display_text(rest.substr(0, 4))));
  }
  return make_error(ErrorType::invalid_input, fmt::format("expected an AI at position {}, found {}", position + 1,
                                                          gs1::display_text(rest.substr(0, 8))));
}

// "(NN)" … "(NNNN)" at pos naming a known AI: the start of the next HRI field.
const gs1::AiDefinition* hri_ai_at(std::string_view text, std::size_t pos, std::size_t& ai_end)
{
  if (pos >= text.size() || text[pos] != '(') {
    return nullptr;
  }
  // Look no further than an AI can be long: long runs of "(" must not cost quadratic time.
  const auto close = text.substr(0, pos + 6).find(')', pos + 1);
  if (close == std::string_view::npos || close - pos - 1 < 2) {
    return nullptr;
  }
  const auto ai = text.substr(pos + 1, close - pos - 1);
  if (!std::all_of(ai.begin(), ai.end(), text::is_digit)) {
    return nullptr;
  }
  ai_end = close + 1;
  return gs1::find_ai(ai);
}

std::string_view trim_spaces(std::string_view text)
{
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && text.back() == ' ') {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

namespace gs1 {

// GS1 General Specifications 4.14.1. Sorting keeps a scan with thousands of fields (an HTTP post,
// say) from costing quadratic time.
std::optional<std::string> repeated_ai_problem(const std::vector<Gs1Field>& fields)
{
  std::vector<const Gs1Field*> sorted;
  sorted.reserve(fields.size());
  for (const auto& field : fields) {
    sorted.push_back(&field);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const Gs1Field* a, const Gs1Field* b) { return a->ai < b->ai; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1]->ai == sorted[i]->ai && sorted[i - 1]->value != sorted[i]->value) {
      return fmt::format("AI ({}): appears twice with different values {} and {}", sorted[i]->ai,
                         display_text(sorted[i - 1]->value), display_text(sorted[i]->value));
    }
  }
  return std::nullopt;
}

} // namespace gs1

Result<std::vector<Gs1Field>> parse_gs1_element_string(std::string_view data)
{
  std::size_t pos = 0;
  while (pos < data.size() && (data[pos] == k_group_separator || data[pos] == k_fnc1_codeword)) {
    ++pos;
  }
  if (pos == data.size()) {
    return make_error(ErrorType::invalid_input, "empty GS1 element string");
  }

  std::vector<Gs1Field> fields;
  while (pos < data.size()) {
    const auto rest = data.substr(pos);
    const auto* definition = gs1::match_ai_prefix(rest);
    if (definition == nullptr) {
      return no_ai_error(rest, pos);
    }
    const auto ai = definition->ai();
    const auto value_start = pos + ai.size();
    auto value_end = data.find(k_group_separator, value_start);
    if (value_end == std::string_view::npos) {
      value_end = data.size();
    }
    if (definition->is_fixed_length()) {
      // A fixed-length field ends after its length whether or not a separator follows.
      value_end = std::min(value_end, value_start + definition->max_length());
    }
    Gs1Field field{std::string(ai), std::string(data.substr(value_start, value_end - value_start))};
    if (auto problem = gs1::validate_data(*definition, field.value)) {
      return field_error(ai, *problem);
    }
    fields.push_back(std::move(field));
    pos = value_end;
    while (pos < data.size() && data[pos] == k_group_separator) {
      ++pos;
    }
  }
  if (auto problem = gs1::repeated_ai_problem(fields)) {
    return make_error(ErrorType::invalid_input, *problem);
  }
  return fields;
}

Result<std::vector<Gs1Field>> parse_gs1_hri(std::string_view text)
{
  text = trim_spaces(text);
  if (text.empty() || text.front() != '(') {
    return make_error(ErrorType::invalid_input, "GS1 text must start with an AI in brackets, like (01)");
  }
  std::vector<Gs1Field> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t value_start = 0;
    const auto* definition = hri_ai_at(text, pos, value_start);
    if (definition == nullptr) {
      const auto close = text.find(')', pos);
      const auto shown = text.substr(pos, close == std::string_view::npos ? 8 : close - pos + 1);
      return make_error(ErrorType::invalid_input,
                        fmt::format("unknown AI {} at position {}", gs1::display_text(shown), pos + 1));
    }
    // The value runs to the next "(AI)" of a known AI; "\(" stands for a bracket in the value.
    std::string value;
    std::size_t next = value_start;
    std::size_t ignored = 0;
    while (next < text.size() && hri_ai_at(text, next, ignored) == nullptr) {
      if (text[next] == '\\' && next + 1 < text.size() && text[next + 1] == '(') {
        ++next;
      }
      value += text[next];
      ++next;
    }
    Gs1Field field{std::string(definition->ai()), std::string(trim_spaces(value))};
    if (auto problem = gs1::validate_data(*definition, field.value)) {
      return field_error(field.ai, *problem);
    }
    fields.push_back(std::move(field));
    pos = next;
  }
  if (auto problem = gs1::repeated_ai_problem(fields)) {
    return make_error(ErrorType::invalid_input, *problem);
  }
  return fields;
}

std::string to_hri(const std::vector<Gs1Field>& fields)
{
  std::string text;
  for (const auto& field : fields) {
    text += '(';
    text += field.ai;
    text += ')';
    text += field.value;
  }
  return text;
}

std::string to_element_string(const std::vector<Gs1Field>& fields)
{
  std::string data;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    data += fields[i].ai;
    data += fields[i].value;
    const auto* definition = gs1::find_ai(fields[i].ai);
    const bool needs_separator = definition == nullptr || !definition->predefined_length;
    if (needs_separator && i + 1 < fields.size()) {
      data += k_group_separator;
    }
  }
  return data;
}

std::optional<Gs1AiInfo> gs1_ai_info(std::string_view ai)
{
  const auto* definition = gs1::find_ai(ai);
  if (definition == nullptr) {
    return std::nullopt;
  }
  Gs1AiInfo info;
  info.ai = std::string(definition->ai());
  info.title = definition->title;
  info.format = definition->format();
  info.predefined_length = definition->predefined_length;
  for (std::size_t i = 0; i < definition->component_count; ++i) {
    const auto rule = definition->components[i].rule;
    info.has_check_digit = info.has_check_digit || rule == gs1::Rule::check_digit;
    info.has_date = info.has_date || rule == gs1::Rule::date_yymmd0 || rule == gs1::Rule::date_yymmdd ||
                    rule == gs1::Rule::date_yyyymmdd || rule == gs1::Rule::date_yymmddhh;
  }
  return info;
}

std::vector<std::string> gs1_known_ais()
{
  std::vector<std::string> ais;
  ais.reserve(gs1::ai_count());
  for (std::size_t i = 0; i < gs1::ai_count(); ++i) {
    ais.emplace_back(gs1::ai_at(i).ai());
  }
  return ais;
}

} // namespace pickverify
