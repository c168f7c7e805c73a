// The GS1 Application Identifier table: every AI of the GS1 General Specifications with the layout
// of its data, whether it has a predefined length (no GS separator needed), and the rules its
// components must obey (check digit, date, time, ...). Checked against the GS1 Barcode Syntax
// Dictionary (gs1/gs1-syntax-dictionary); the table itself is written here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/codes.hpp>

namespace pickverify::gs1 {

// Character sets a component may use.
enum class Charset : std::uint8_t {
  numeric,   // N: 0-9
  cset82,    // X: GS1 AI encodable character set 82
  cset39,    // Y: GS1 AI encodable character set 39
  base64url, // Z: A-Z a-z 0-9 - _ and = padding
};

// Content rules a component must obey beyond its character set.
enum class Rule : std::uint8_t {
  none,
  check_digit,    // GS1 mod-10 check digit in the last position
  check_pair,     // GS1 alphanumeric check character pair in the last two positions (GMN)
  date_yymmd0,    // YYMMDD; DD 00 means "end of the month"
  date_yymmdd,    // YYMMDD
  date_yyyymmdd,  // YYYYMMDD
  date_yymmddhh,  // YYMMDDHH
  time_hhmm,      // HHMM
  hour,           // HH
  minute,         // MM
  second,         // SS
  yes_no,         // 0 or 1
  zero,           // exactly 0
  nonzero,        // a number above 0
  winding,        // 0, 1 or 9 (AI 8001)
  piece_of_total, // PPTT: 0 < piece <= total (AI 8006, 8026)
  hyphen,         // exactly "-"
  latitude,       // N10: 0..1800000000
  longitude,      // N10/N11: 0..3600000000
  country,        // ISO 3166-1 numeric country code
  country_or_999, // ISO 3166-1 numeric, or 999 for "not known"
};

struct Component {
  Charset charset = Charset::numeric;
  std::uint8_t min_length = 0;
  std::uint8_t max_length = 0;
  bool optional = false;
  Rule rule = Rule::none;
};

inline constexpr std::size_t k_max_components = 6;

struct AiDefinition {
  std::array<char, 4> ai_digits{}; // the AI as it is encoded, "3103"
  std::uint8_t ai_length = 0;
  std::string_view title;         // the GS1 data title, "NET WEIGHT (kg)"
  bool predefined_length = false; // true: the field is never followed by a GS separator
  std::array<Component, k_max_components> components{};
  std::uint8_t component_count = 0;

  std::string_view ai() const { return {ai_digits.data(), ai_length}; }

  std::size_t min_length() const; // of the data, without the AI
  std::size_t max_length() const;
  bool is_fixed_length() const { return min_length() == max_length(); }
  // GS1 General Specifications notation of AI and data: "N2+N14", "N4+N6", "N3+N13+X..17".
  std::string format() const;
};

// The definition for exactly this AI ("01", "3103"), if GS1 defines it.
const AiDefinition* find_ai(std::string_view ai);

// The AI that begins data, if any. GS1 AIs are prefix-free, so at most one matches.
const AiDefinition* match_ai_prefix(std::string_view data);

// Every defined AI in ascending order, ranges expanded ("3100", "3101", ...).
std::size_t ai_count();
const AiDefinition& ai_at(std::size_t index);

// Checks one field's data against its definition. nullopt when valid, otherwise what is wrong
// without the AI ("invalid date 251341", "check digit: expected 2, got 3").
std::optional<std::string> validate_data(const AiDefinition& definition, std::string_view data);

// Whether c is in GS1 character set 82.
bool is_cset82(unsigned char c);

// A repeated AI is allowed only with the same value: what is wrong otherwise, naming the AI.
std::optional<std::string> repeated_ai_problem(const std::vector<Gs1Field>& fields);

// An http(s) URI with a GS1 primary key (01, 00, 414, ...) among its path segments.
bool looks_like_digital_link(std::string_view uri);

// Data shown in an error message: quoted, control and non-ASCII bytes as \xNN, long data cut.
std::string display_text(std::string_view data);

} // namespace pickverify::gs1
