// GS1 Digital Link URIs (https://id.gs1.org/01/09506000134352/10/ABC?17=201225): the QR codes on
// consumer goods carry their GTIN this way. Uncompressed form only.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include <pickverify/codes.hpp>
#include <pickverify/text.hpp>

#include "gs1_ai_table.hpp"

namespace pickverify {

namespace {

// The AIs that may start the identifying part of a Digital Link path.
constexpr std::string_view k_primary_keys[] = {"00",   "01",   "253",  "255",  "401",  "402",  "414", "417",
                                               "8003", "8004", "8006", "8010", "8013", "8017", "8018"};

bool is_primary_key(std::string_view ai)
{
  return std::find(std::begin(k_primary_keys), std::end(k_primary_keys), ai) != std::end(k_primary_keys);
}

std::optional<std::string> percent_decode(std::string_view text)
{
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    const int high = text::hex_digit_value(text[i + 1]);
    const int low = text::hex_digit_value(text[i + 2]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> parts;
  while (true) {
    const auto end = text.find(separator);
    if (!text.substr(0, end).empty()) {
      parts.push_back(text.substr(0, end));
    }
    if (end == std::string_view::npos) {
      return parts;
    }
    text.remove_prefix(end + 1);
  }
}

tl::unexpected<Error> link_error(std::string message)
{
  return make_error(ErrorType::invalid_input, "GS1 Digital Link: " + std::move(message));
}

} // namespace

namespace gs1 {

bool looks_like_digital_link(std::string_view uri)
{
  if (!text::starts_with_ignoring_case(uri, "https://") && !text::starts_with_ignoring_case(uri, "http://")) {
    return false;
  }
  const auto path_start = uri.find('/', uri.find("://") + 3);
  if (path_start == std::string_view::npos) {
    return false;
  }
  const auto path = uri.substr(path_start, uri.find_first_of("?#", path_start) - path_start);
  const auto segments = split(path, '/');
  return std::any_of(segments.begin(), segments.end(), is_primary_key);
}

} // namespace gs1

Result<std::vector<Gs1Field>> parse_gs1_digital_link(std::string_view uri)
{
  if (!gs1::looks_like_digital_link(uri)) {
    return link_error("not an http(s) URI with a GS1 key in its path");
  }
  const auto path_start = uri.find('/', uri.find("://") + 3);
  const auto path_end = uri.find_first_of("?#", path_start);
  const auto segments = split(uri.substr(path_start, path_end - path_start), '/');

  // A path may begin with the owner's own segments ("/products/01/…"): the GS1 part is the
  // first primary key from which the segments pair up as AI/value to the end.
  std::size_t first = segments.size();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (is_primary_key(segments[i]) && (segments.size() - i) % 2 == 0) {
      first = i;
      break;
    }
  }
  if (first == segments.size()) {
    return link_error("the GS1 key in the path has no value");
  }

  std::vector<std::pair<std::string, std::string_view>> raw_fields;
  for (std::size_t i = first; i + 1 < segments.size(); i += 2) {
    raw_fields.emplace_back(std::string(segments[i]), segments[i + 1]);
  }
  if (path_end != std::string_view::npos && uri[path_end] == '?') {
    const auto query = uri.substr(path_end + 1, uri.find('#', path_end) - path_end - 1);
    for (const auto parameter : split(query, '&')) {
      const auto equals = parameter.find('=');
      const auto key = parameter.substr(0, equals);
      // Other parameters (linkType, context, ...) are for the resolver, not data.
      if (equals == std::string_view::npos || key.empty() || !std::all_of(key.begin(), key.end(), text::is_digit)) {
        continue;
      }
      raw_fields.emplace_back(std::string(key), parameter.substr(equals + 1));
    }
  }

  std::vector<Gs1Field> fields;
  for (const auto& [ai, encoded] : raw_fields) {
    const auto* definition = gs1::find_ai(ai);
    if (definition == nullptr) {
      return link_error(fmt::format("unknown AI ({})", ai));
    }
    auto value = percent_decode(encoded);
    if (!value) {
      return link_error(fmt::format("AI ({}): broken percent-encoding in {}", ai, gs1::display_text(encoded)));
    }
    // A Digital Link may carry a GTIN-8, -12 or -13 in AI 01: it means the 14-digit form.
    if (ai == "01" && (value->size() == 8 || value->size() == 12 || value->size() == 13)) {
      value->insert(0, 14 - value->size(), '0');
    }
    if (auto problem = gs1::validate_data(*definition, *value)) {
      return link_error(fmt::format("AI ({}): {}", ai, *problem));
    }
    fields.push_back(Gs1Field{ai, std::move(*value)});
  }
  if (auto problem = gs1::repeated_ai_problem(fields)) {
    return link_error(*problem);
  }
  return fields;
}

} // namespace pickverify
