#include "importer.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "csv.hpp"
#include "utf8.hpp"

#include <pickverify/expected.hpp>

namespace pickverify::app {

namespace {

constexpr std::size_t k_max_reported_errors = 50;
// A value quoted in a message is cut to this many bytes: a 10 MB field must not come back twice.
constexpr std::size_t k_max_quoted_value = 40;
constexpr std::size_t k_max_message = 400;
// No text field (id, description, attribute …) may be longer than this.
constexpr std::size_t k_max_text_bytes = 4096;

// Cuts every long word of a message (a value, as the checks quote them) and the message itself.
std::string shorten_values(std::string_view message)
{
  std::string text;
  std::size_t start = 0;
  while (start <= message.size()) {
    std::size_t end = message.find(' ', start);
    if (end == std::string_view::npos) {
      end = message.size();
    }
    const std::string_view word = message.substr(start, end - start);
    if (word.size() > 2 * k_max_quoted_value) {
      text += fmt::format("{}… ({} bytes)", word.substr(0, k_max_quoted_value), word.size());
    } else {
      text += word;
    }
    if (end == message.size()) {
      break;
    }
    text += ' ';
    start = end + 1;
    if (text.size() > k_max_message) {
      break;
    }
  }
  if (text.size() > k_max_message) {
    text = text.substr(0, k_max_message) + " …";
  }
  return text;
}

// NUL, invalid UTF-8, and (in ids) any control character or an overlong text: "" when the text is fine.
std::string text_problem(std::string_view text, bool is_id)
{
  if (text.size() > k_max_text_bytes) {
    return fmt::format("too long ({} bytes; at most {})", text.size(), k_max_text_bytes);
  }
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return fmt::format("holds a NUL byte (at byte {})", nul + 1);
  }
  if (const auto bad = invalid_utf8_at(text)) {
    return fmt::format("not valid UTF-8 (byte {} is 0x{:02X})", *bad + 1, static_cast<unsigned char>(text[*bad]));
  }
  if (is_id) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == 0x7f) {
        return fmt::format("holds the control character 0x{:02X} (at byte {})", c, i + 1);
      }
    }
  }
  return {};
}

// Collects every problem of one file so a person can fix them all in one go.
class Problems {
public:
  explicit Problems(std::string name) : m_name(std::move(name)) {}

  void add(int line, const std::string& message)
  {
    ++m_count;
    if (m_messages.size() < k_max_reported_errors) {
      const std::string text = shorten_values(message);
      m_messages.push_back(line > 0 ? fmt::format("{}:{}: {}", m_name, line, text)
                                    : fmt::format("{}: {}", m_name, text));
    }
  }
  bool empty() const { return m_count == 0; }
  Error error() const
  {
    std::string text = fmt::format("{}: {} problem(s), nothing imported", m_name, m_count);
    for (const auto& message : m_messages) {
      text += "\n  " + message;
    }
    if (m_count > m_messages.size()) {
      text += fmt::format("\n  … and {} more", m_count - m_messages.size());
    }
    return Error{ErrorType::invalid_input, text};
  }
  // The import's refusal, for `return problems.refusal();`.
  tl::unexpected<Error> refusal() const { return tl::unexpected(error()); }

private:
  std::string m_name;
  std::vector<std::string> m_messages;
  std::size_t m_count = 0;
};

// Line numbers of the elements of a top-level array ("items": [ {…}, {…} ]), found by a small scan
// of the text, since the JSON parser does not keep positions.
std::vector<int> element_lines(std::string_view text, std::string_view key)
{
  std::vector<int> lines;
  int line = 1;
  int depth = 0;
  bool in_string = false;
  bool in_target = false;      // inside the array named key, directly under the top-level object
  bool expect_element = false; // in that array, after '[' or ',': the next value starts an element
  std::string current_string;
  std::string last_top_level_key;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    }
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 1) {
          last_top_level_key = current_string;
        }
      } else {
        current_string += c;
      }
      continue;
    }
    const bool blank = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (in_target && depth == 2 && expect_element && !blank && c != ']') {
      lines.push_back(line); // any value: object, array, string, number, true, false, null
      expect_element = false;
    }
    if (c == '"') {
      in_string = true;
      current_string.clear();
    } else if (c == '{' || c == '[') {
      if (c == '[' && depth == 1 && last_top_level_key == key) {
        in_target = true;
        expect_element = true;
      }
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth <= 1) {
        in_target = false;
      }
    } else if (c == ',' && in_target && depth == 2) {
      expect_element = true;
    }
  }
  return lines;
}

int line_of(const std::vector<int>& lines, std::size_t index)
{
  return index < lines.size() ? lines[index] : 0;
}

std::vector<std::string> split(std::string_view text, char separator)
{
  std::vector<std::string> parts;
  if (text.empty()) {
    return parts;
  }
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    std::string part(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    while (!part.empty() && part.front() == ' ')
      part.erase(part.begin());
    while (!part.empty() && part.back() == ' ')
      part.pop_back();
    if (!part.empty()) {
      parts.push_back(std::move(part));
    }
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  return parts;
}

Result<Attributes> parse_attribute_list(std::string_view text)
{
  Attributes attributes;
  for (const auto& pair : split(text, ';')) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      return make_error(ErrorType::invalid_input, fmt::format("attribute '{}' is not name=value", pair));
    }
    if (!attributes.emplace(pair.substr(0, eq), pair.substr(eq + 1)).second) {
      return make_error(ErrorType::invalid_input, fmt::format("attribute '{}' given twice", pair.substr(0, eq)));
    }
  }
  return attributes;
}

Result<std::int32_t> parse_int(std::string_view text, std::int32_t min, std::int32_t max)
{
  if (text.empty() || text.size() > 10) {
    return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a whole number", text));
  }
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return make_error(ErrorType::invalid_input, fmt::format("'{}' is not a whole number", text));
    }
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max) {
    return make_error(ErrorType::invalid_input, fmt::format("{} is outside {}–{}", value, min, max));
  }
  return static_cast<std::int32_t>(value);
}

// "inner:9506000002293*3;case:19506000001972*12": packaging levels with their GTINs and eaches inside.
Result<std::vector<Pack>> parse_pack_list(std::string_view text)
{
  std::vector<Pack> packs;
  for (const auto& entry : split(text, ';')) {
    const auto colon = entry.find(':');
    const auto star = entry.find('*');
    if (colon == std::string::npos || star == std::string::npos || star < colon) {
      return make_error(ErrorType::invalid_input,
                        fmt::format("'{}' is not LEVEL:GTIN*QUANTITY (case:19506000001972*12)", entry));
    }
    auto quantity = parse_int(std::string_view(entry).substr(star + 1), 2, k_max_pack_quantity);
    if (!quantity) {
      return make_error(ErrorType::invalid_input, fmt::format("{}: quantity {}", entry, quantity.error().message));
    }
    packs.push_back(Pack{entry.substr(0, colon), entry.substr(colon + 1, star - colon - 1), *quantity});
  }
  return packs;
}

std::string trimmed(std::string_view text)
{
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  return std::string(text);
}

// One part of a kit's components: "CARE-BRUSH*2" (an exact item) or "TR-RUN[size,width,colour=black]*1"
// (a style: a bare name is taken from the order line, name=value is fixed by the kit, an attribute
// not named may be anything).
Result<KitComponent> parse_kit_part(std::string_view part)
{
  KitComponent component;
  std::string_view rest = part;
  if (const auto open = part.find('['); open != std::string_view::npos) {
    const auto close = part.rfind(']');
    if (close == std::string_view::npos || close < open) {
      return make_error(ErrorType::invalid_input, "'[' without a closing ']'");
    }
    component.style = trimmed(part.substr(0, open));
    if (component.style.empty()) {
      return make_error(ErrorType::invalid_input, "a style part needs its style before '[' (TR-RUN[size,width])");
    }
    for (const auto& entry : split(part.substr(open + 1, close - open - 1), ',')) {
      const auto eq = entry.find('=');
      const std::string name = trimmed(std::string_view(entry).substr(0, eq));
      if (name.empty()) {
        return make_error(ErrorType::invalid_input, fmt::format("attribute '{}' has no name", entry));
      }
      if (component.fixed_attributes.count(name) ||
          std::find(component.from_order.begin(), component.from_order.end(), name) != component.from_order.end()) {
        return make_error(ErrorType::invalid_input, fmt::format("attribute '{}' given twice", name));
      }
      if (eq == std::string::npos) {
        component.from_order.push_back(name);
        continue;
      }
      const std::string value = trimmed(std::string_view(entry).substr(eq + 1));
      if (value.empty()) {
        return make_error(ErrorType::invalid_input,
                          fmt::format("attribute '{}' has no value (a bare name takes it from the order)", name));
      }
      component.fixed_attributes.emplace(name, value);
    }
    rest = part.substr(close + 1);
    while (!rest.empty() && rest.front() == ' ')
      rest.remove_prefix(1);
    if (!rest.empty() && rest.front() != '*') {
      return make_error(ErrorType::invalid_input, fmt::format("'{}' after ']' is not *QUANTITY", rest));
    }
  }
  const auto star = rest.find('*');
  if (component.style.empty()) {
    component.sku = std::string(rest.substr(0, star));
  }
  if (star != std::string_view::npos) {
    PV_TRY_ASSIGN(auto quantity, parse_int(rest.substr(star + 1), 1, 10'000));
    component.quantity = quantity;
  }
  return component;
}

Result<bool> parse_bool(std::string_view text)
{
  if (text.empty() || text == "false" || text == "no" || text == "0")
    return false;
  if (text == "true" || text == "yes" || text == "1")
    return true;
  return make_error(ErrorType::invalid_input, fmt::format("'{}' is not true or false", text));
}

// --- JSON helpers: strict about unknown fields and types -----------------------------------------

using Json = nlohmann::json;

bool check_fields(const Json& object, const std::set<std::string>& allowed, const std::string& where, int line,
                  Problems& problems)
{
  if (!object.is_object()) {
    problems.add(line, fmt::format("{}: must be an object", where));
    return false;
  }
  bool ok = true;
  for (const auto& [name, value] : object.items()) {
    if (!allowed.count(name)) {
      problems.add(line, fmt::format("{}.{}: unknown field", where, name));
      ok = false;
    }
  }
  return ok;
}

std::string get_string(const Json& object, const char* field, const std::string& where, int line, Problems& problems,
                       bool required)
{
  auto it = object.find(field);
  if (it == object.end()) {
    if (required) {
      problems.add(line, fmt::format("{}.{}: missing", where, field));
    }
    return {};
  }
  if (!it->is_string()) {
    problems.add(line, fmt::format("{}.{}: must be a string", where, field));
    return {};
  }
  std::string value = it->get<std::string>();
  if (required && value.empty()) {
    problems.add(line, fmt::format("{}.{}: must not be empty", where, field));
  }
  if (auto problem = text_problem(value, required); !problem.empty()) {
    problems.add(line, fmt::format("{}.{}: {}", where, field, problem));
    return {};
  }
  return value;
}

std::int32_t get_int(const Json& object, const char* field, const std::string& where, int line, Problems& problems,
                     std::int32_t fallback, std::int32_t min, std::int32_t max)
{
  auto it = object.find(field);
  if (it == object.end()) {
    return fallback;
  }
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max) {
    problems.add(line, fmt::format("{}.{}: must be a whole number from {} to {}", where, field, min, max));
    return fallback;
  }
  return static_cast<std::int32_t>(it->get<std::int64_t>());
}

bool get_bool(const Json& object, const char* field, const std::string& where, int line, Problems& problems)
{
  auto it = object.find(field);
  if (it == object.end()) {
    return false;
  }
  if (!it->is_boolean()) {
    problems.add(line, fmt::format("{}.{}: must be true or false", where, field));
    return false;
  }
  return it->get<bool>();
}

// An array of attribute names: ["size", "width"].
std::vector<std::string> get_names(const Json& object, const char* field, const std::string& where, int line,
                                   Problems& problems)
{
  std::vector<std::string> names;
  auto it = object.find(field);
  if (it == object.end()) {
    return names;
  }
  if (!it->is_array()) {
    problems.add(line, fmt::format("{}.{}: must be an array of attribute names", where, field));
    return names;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Json& name = (*it)[i];
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      problems.add(line, fmt::format("{}.{}[{}]: must be an attribute name (a string)", where, field, i));
      continue;
    }
    if (auto problem = text_problem(name.get_ref<const std::string&>(), true); !problem.empty()) {
      problems.add(line, fmt::format("{}.{}[{}]: {}", where, field, i, problem));
      continue;
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

Attributes get_attributes(const Json& object, const std::string& where, int line, Problems& problems)
{
  Attributes attributes;
  auto it = object.find("attributes");
  if (it == object.end()) {
    return attributes;
  }
  if (!it->is_object()) {
    problems.add(line, fmt::format("{}.attributes: must be an object of strings", where));
    return attributes;
  }
  for (const auto& [name, value] : it->items()) {
    if (!value.is_string() && !value.is_number()) {
      problems.add(line, fmt::format("{}.attributes.{}: must be a string", where, name));
      continue;
    }
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (auto problem = text_problem(name + text, false); !problem.empty()) {
      problems.add(line, fmt::format("{}.attributes.{}: {}", where, shorten_values(name), problem));
      continue;
    }
    attributes[name] = std::move(text);
  }
  return attributes;
}

std::vector<Pack> get_packs(const Json& object, const std::string& where, int line, Problems& problems)
{
  std::vector<Pack> packs;
  auto it = object.find("packs");
  if (it == object.end()) {
    return packs;
  }
  if (!it->is_array()) {
    problems.add(line, fmt::format("{}.packs: must be an array of {{\"level\", \"gtin\", \"quantity\"}}", where));
    return packs;
  }
  for (std::size_t p = 0; p < it->size(); ++p) {
    const std::string pack_where = fmt::format("{}.packs[{}]", where, p);
    const Json& pack = (*it)[p];
    if (!check_fields(pack, {"level", "gtin", "quantity"}, pack_where, line, problems)) {
      continue;
    }
    const std::string level = get_string(pack, "level", pack_where, line, problems, true);
    const std::string gtin = get_string(pack, "gtin", pack_where, line, problems, true);
    if (!pack.contains("quantity")) {
      problems.add(line, fmt::format("{}.quantity: missing (the eaches inside, 2 or more)", pack_where));
      continue;
    }
    const std::int32_t quantity = get_int(pack, "quantity", pack_where, line, problems, 0, 2, k_max_pack_quantity);
    if (!level.empty() && !gtin.empty() && quantity >= 2) {
      packs.push_back(Pack{level, gtin, quantity});
    }
  }
  return packs;
}

Money get_money(const Json& object, const char* field, const std::string& where, int line, Problems& problems,
                bool required = false)
{
  std::string currency = "USD";
  if (auto given = object.find("currency"); given != object.end()) {
    if (!given->is_string() || !parse_money("0", given->get<std::string>())) {
      problems.add(line, fmt::format("{}.currency: must be a three-letter ISO 4217 code such as \"USD\"", where));
    } else {
      currency = given->get<std::string>();
    }
  }
  auto it = object.find(field);
  if (it == object.end()) {
    if (required) {
      problems.add(line, fmt::format("{}.{}: missing (an amount such as \"285.00\")", where, field));
    }
    return Money{0, currency};
  }
  if (!it->is_string()) {
    problems.add(line,
                 fmt::format("{}.{}: must be a string such as \"285.00\" (no floating point for money)", where, field));
    return Money{0, currency};
  }
  auto money = parse_money(it->get<std::string>(), currency);
  if (!money) {
    problems.add(line, fmt::format("{}.{}: {}", where, field, money.error().message));
    return Money{0, currency};
  }
  if (money->minor < 0) {
    problems.add(line, fmt::format("{}.{}: must not be negative", where, field));
  }
  return *money;
}

std::size_t line_at(std::string_view text, std::size_t byte)
{
  std::size_t line = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    line += text[i] == '\n';
  }
  return line;
}

// The name of the member whose value is at text[pos]: the last "key": before it, or "" at the top.
std::string key_before(std::string_view text, std::size_t pos)
{
  std::size_t colon = text.rfind(':', pos);
  while (colon != std::string_view::npos) {
    std::size_t end = colon;
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\n' || text[end - 1] == '\r'))
      --end;
    if (end > 0 && text[end - 1] == '"') {
      const std::size_t start = end >= 2 ? text.rfind('"', end - 2) : std::string_view::npos;
      if (start != std::string_view::npos && start + 1 < end) {
        return shorten_values(std::string(text.substr(start + 1, end - 1 - start - 1)));
      }
    }
    if (colon == 0)
      break;
    colon = text.rfind(':', colon - 1);
  }
  return {};
}

// JSON allows a key twice in one object and the parser keeps the last: a file that says both
// "weight_g": 800 and "weight_g": 0 is ambiguous, so it is refused. A small scan of the text finds
// the line (the parser does not keep positions).
struct DuplicateKey {
  std::size_t line = 0;
  std::string key;
};
std::optional<DuplicateKey> find_duplicate_key(std::string_view text)
{
  struct Level {
    bool object = false;
    std::set<std::string> keys;
  };
  std::vector<Level> levels;
  std::size_t line = 1;
  std::string last_string;
  std::size_t last_string_line = 0;
  bool have_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '"') {
      std::string value;
      std::size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) {
          value += text[j];
          ++j;
        }
        value += text[j];
      }
      last_string = std::move(value);
      last_string_line = line;
      have_string = true;
      i = j;
      continue;
    } else if (c == ':') {
      if (have_string && !levels.empty() && levels.back().object && !levels.back().keys.insert(last_string).second) {
        return DuplicateKey{last_string_line, last_string};
      }
    } else if (c == '{' || c == '[') {
      levels.push_back(Level{c == '{', {}});
    } else if ((c == '}' || c == ']') && !levels.empty()) {
      levels.pop_back();
    }
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      have_string = false;
    }
  }
  return std::nullopt;
}

Result<Json> parse_json(std::string_view text, const std::string& name)
{
  Json document = Json::parse(text.begin(), text.end(), nullptr, false);
  if (document.is_discarded()) {
    // Re-parse with exceptions on to get the position of the error.
    try {
      [[maybe_unused]] const Json ignored = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& error) {
      const std::string what = error.what();
      const std::string_view reason = what.find("ill-formed UTF-8") != std::string::npos ? ": not valid UTF-8"
                                      : what.find("control character") != std::string::npos
                                          ? ": a control character (NUL …) inside a string; write it as \\u00XX"
                                          : "";
      // A bad byte inside a value names its field; a syntax error (a comma too many) names none,
      // since the member before it is not at fault.
      const std::string key = reason.empty() ? std::string{} : key_before(text, error.byte > 0 ? error.byte - 1 : 0);
      return make_error(ErrorType::invalid_input,
                        fmt::format("{}:{}: {}{}not valid JSON (byte {}){}", name, line_at(text, error.byte), key,
                                    key.empty() ? "" : ": ", error.byte, reason));
    } catch (const Json::out_of_range& error) {
      // "number overflow parsing '1e400'": find the number to name its line and field.
      const std::string what = error.what();
      const auto open = what.find('\'');
      const auto close = what.rfind('\'');
      const std::string number =
          open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
      std::size_t at = number.empty() ? std::string_view::npos : text.find(number);
      const std::string key = at == std::string_view::npos ? std::string{} : key_before(text, at);
      return make_error(ErrorType::invalid_input, fmt::format("{}:{}: {}{}number {} is out of range", name,
                                                              at == std::string_view::npos ? 1 : line_at(text, at), key,
                                                              key.empty() ? "" : ": ", shorten_values(number)));
    } catch (const Json::exception& error) {
      return make_error(ErrorType::invalid_input, fmt::format("{}: not valid JSON", name));
    }
    return make_error(ErrorType::invalid_input, fmt::format("{}: not valid JSON", name));
  }
  if (auto duplicate = find_duplicate_key(text)) {
    return make_error(ErrorType::invalid_input, fmt::format("{}:{}: {}: given twice in one object", name,
                                                            duplicate->line, shorten_values(duplicate->key)));
  }
  if (!document.is_object()) {
    return make_error(ErrorType::invalid_input, fmt::format("{}:1: the top level must be an object", name));
  }
  return document;
}

// --- Catalog ----------------------------------------------------------------------------------

// What a catalog file says, before it meets the stored catalog: each entry with its line.
struct CatalogEntries {
  struct ItemEntry {
    int line = 0;
    std::string where;
    Item item;
  };
  struct KitEntry {
    int line = 0;
    std::string where;
    Kit kit;
  };
  std::vector<ItemEntry> items;
  std::vector<KitEntry> kits;
};

void add_item_checked(Item item, int line, const std::string& where, CatalogEntries& entries, Problems&)
{
  if (item.sku.empty()) {
    return; // already reported
  }
  entries.items.push_back({line, where, std::move(item)});
}

Result<CatalogEntries> import_catalog_json(std::string_view text, const std::string& name, Problems& problems)
{
  PV_TRY_ASSIGN(auto document, parse_json(text, name));
  check_fields(document, {"items", "kits"}, "catalog", 1, problems);
  const auto item_lines = element_lines(text, "items");
  const auto kit_lines = element_lines(text, "kits");
  CatalogEntries entries;
  if (document.contains("items")) {
    const Json& items = document["items"];
    if (!items.is_array()) {
      problems.add(1, "items: must be an array");
    } else {
      for (std::size_t i = 0; i < items.size(); ++i) {
        const int line = line_of(item_lines, i);
        const std::string where = fmt::format("items[{}]", i);
        const Json& object = items[i];
        if (!check_fields(object,
                          {"sku", "style", "description", "gtins", "attributes", "weight_g", "unit_value", "currency",
                           "image_check_required", "serial_tracked", "serial_label", "no_visible_barcode", "packs"},
                          where, line, problems)) {
          continue;
        }
        Item item;
        item.sku = get_string(object, "sku", where, line, problems, true);
        item.style = get_string(object, "style", where, line, problems, false);
        item.description = get_string(object, "description", where, line, problems, false);
        if (item.description.empty())
          item.description = item.sku;
        if (auto gtins = object.find("gtins"); gtins != object.end() && gtins->is_array()) {
          for (std::size_t g = 0; g < gtins->size(); ++g) {
            if ((*gtins)[g].is_string() && text_problem((*gtins)[g].get_ref<const std::string&>(), true).empty()) {
              item.gtins.push_back((*gtins)[g].get<std::string>());
            } else {
              problems.add(line, fmt::format("{}.gtins[{}]: must be a string of digits", where, g));
            }
          }
        } else {
          problems.add(line, fmt::format("{}.gtins: missing (a list of GTINs)", where));
        }
        item.attributes = get_attributes(object, where, line, problems);
        item.weight_g = get_int(object, "weight_g", where, line, problems, 0, 0, 1'000'000);
        item.unit_value = get_money(object, "unit_value", where, line, problems);
        item.image_check_required = get_bool(object, "image_check_required", where, line, problems);
        item.serial_tracked = get_bool(object, "serial_tracked", where, line, problems);
        item.serial_label = get_bool(object, "serial_label", where, line, problems);
        item.serial_tracked = item.serial_tracked || item.serial_label;
        item.no_visible_barcode = get_bool(object, "no_visible_barcode", where, line, problems);
        item.packs = get_packs(object, where, line, problems);
        add_item_checked(std::move(item), line, where, entries, problems);
      }
    }
  }
  if (document.contains("kits")) {
    const Json& kits = document["kits"];
    if (!kits.is_array()) {
      problems.add(1, "kits: must be an array");
    } else {
      for (std::size_t i = 0; i < kits.size(); ++i) {
        const int line = line_of(kit_lines, i);
        const std::string where = fmt::format("kits[{}]", i);
        const Json& object = kits[i];
        if (!check_fields(object, {"sku", "description", "components"}, where, line, problems)) {
          continue;
        }
        Kit kit;
        kit.sku = get_string(object, "sku", where, line, problems, true);
        kit.description = get_string(object, "description", where, line, problems, false);
        if (auto components = object.find("components"); components != object.end() && components->is_array()) {
          for (std::size_t c = 0; c < components->size(); ++c) {
            const std::string component_where = fmt::format("{}.components[{}]", where, c);
            const Json& component = (*components)[c];
            if (!check_fields(component, {"sku", "style", "attributes", "from_order", "quantity"}, component_where,
                              line, problems)) {
              continue;
            }
            // An exact item ({sku}), or a style part ({style, attributes, from_order}).
            KitComponent part;
            const bool style_part = component.contains("style");
            part.sku = get_string(component, "sku", component_where, line, problems, !style_part);
            part.style = get_string(component, "style", component_where, line, problems, style_part);
            part.fixed_attributes = get_attributes(component, component_where, line, problems);
            part.from_order = get_names(component, "from_order", component_where, line, problems);
            part.quantity = get_int(component, "quantity", component_where, line, problems, 1, 1, 10'000);
            kit.components.push_back(std::move(part));
          }
        } else {
          problems.add(line, fmt::format("{}.components: missing (a list of {{sku, quantity}})", where));
        }
        if (!kit.sku.empty()) {
          entries.kits.push_back({line, where, std::move(kit)});
        }
      }
    }
  }
  return entries;
}

// Maps header names to column indexes; unknown and missing columns are errors.
class CsvColumns {
public:
  CsvColumns(const CsvRecord& header, const std::set<std::string>& allowed, const std::set<std::string>& required,
             Problems& problems)
  {
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      const std::string& name = header.fields[i];
      if (!allowed.count(name)) {
        problems.add(header.line, fmt::format("unknown column '{}' (known: {})", name, join(allowed)));
      } else if (!m_index.emplace(name, i).second) {
        problems.add(header.line, fmt::format("column '{}' appears twice", name));
      }
    }
    for (const auto& name : required) {
      if (!m_index.count(name)) {
        problems.add(header.line, fmt::format("missing column '{}'", name));
      }
    }
  }

  std::string get(const CsvRecord& record, const std::string& name) const
  {
    auto it = m_index.find(name);
    return it != m_index.end() && it->second < record.fields.size() ? record.fields[it->second] : std::string{};
  }

private:
  static std::string join(const std::set<std::string>& names)
  {
    std::string text;
    for (const auto& name : names)
      text += (text.empty() ? "" : ", ") + name;
    return text;
  }
  std::map<std::string, std::size_t> m_index;
};

// A CSV file whose first line names the columns: the records, and the header checked against the
// columns this file kind allows and requires.
struct CsvTable {
  std::vector<CsvRecord> records; // records[0] is the header
  CsvColumns columns;
};

Result<CsvTable> open_csv_table(std::string_view text, const std::string& name, const std::set<std::string>& allowed,
                                const std::set<std::string>& required, Problems& problems)
{
  auto records = parse_csv(text);
  if (!records) {
    // "line 3: …" from the CSV reader becomes "orders.csv:3: …"
    const std::string& message = records.error().message;
    return make_error(ErrorType::invalid_input, message.rfind("line ", 0) == 0
                                                    ? fmt::format("{}:{}", name, message.substr(5))
                                                    : fmt::format("{}: {}", name, message));
  }
  if (records->empty()) {
    problems.add(0, "empty file: the first line must name the columns");
    return problems.refusal();
  }
  const CsvRecord& header = (*records)[0];
  CsvColumns columns(header, allowed, required, problems);
  if (!problems.empty()) {
    return problems.refusal();
  }
  // Every row has exactly the header's fields: a row cut off (or run on) is refused, not filled
  // with defaults. Every field is text without NUL, in UTF-8.
  std::vector<CsvRecord> rows;
  rows.push_back(header);
  const std::size_t width = header.fields.size();
  for (std::size_t r = 1; r < records->size(); ++r) {
    CsvRecord& record = (*records)[r];
    if (record.fields.size() < width) {
      problems.add(record.line, fmt::format("{}: missing: the row has {} field(s), the header names {} (cut off?)",
                                            header.fields[record.fields.size()], record.fields.size(), width));
      continue;
    }
    if (record.fields.size() > width) {
      problems.add(record.line, fmt::format("field {}: the row has {} fields, the header names only {}", width + 1,
                                            record.fields.size(), width));
      continue;
    }
    bool ok = true;
    for (std::size_t f = 0; f < width; ++f) {
      const std::string& column = header.fields[f];
      const bool is_id = column == "sku" || column == "order_id" || column == "style" || column == "gtins" ||
                         column == "currency" || column == "components";
      if (auto problem = text_problem(record.fields[f], is_id); !problem.empty()) {
        problems.add(record.line, fmt::format("{}: {}", column, problem));
        ok = false;
      }
    }
    if (ok) {
      rows.push_back(std::move(record));
    }
  }
  return CsvTable{std::move(rows), std::move(columns)};
}

Result<CatalogEntries> import_catalog_csv(std::string_view text, const std::string& name, Problems& problems)
{
  PV_TRY_ASSIGN(auto table, open_csv_table(text, name,
                                           {"type", "sku", "style", "description", "gtins", "attributes", "weight_g",
                                            "unit_value", "currency", "flags", "components", "packs"},
                                           {"sku"}, problems));
  const auto& records = table.records;
  const CsvColumns& columns = table.columns;
  CatalogEntries entries;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    const int line = record.line;
    const std::string type = columns.get(record, "type");
    const std::string sku = columns.get(record, "sku");
    if (sku.empty()) {
      problems.add(line, "sku: missing");
      continue;
    }
    if (type == "kit") {
      Kit kit;
      kit.sku = sku;
      kit.description = columns.get(record, "description");
      for (const auto& part : split(columns.get(record, "components"), ';')) {
        auto component = parse_kit_part(part);
        if (!component) {
          problems.add(line, fmt::format("components: {}: {}", part, component.error().message));
          continue;
        }
        kit.components.push_back(std::move(*component));
      }
      entries.kits.push_back({line, "kit " + sku, std::move(kit)});
      continue;
    }
    if (!type.empty() && type != "item") {
      problems.add(line, fmt::format("type: '{}' is neither item nor kit", type));
      continue;
    }
    Item item;
    item.sku = sku;
    item.style = columns.get(record, "style");
    item.description = columns.get(record, "description");
    if (item.description.empty())
      item.description = sku;
    item.gtins = split(columns.get(record, "gtins"), ';');
    if (item.gtins.empty()) {
      problems.add(line, "gtins: missing (GTINs separated by ';')");
    }
    if (auto attributes = parse_attribute_list(columns.get(record, "attributes")); attributes) {
      item.attributes = *attributes;
    } else {
      problems.add(line, "attributes: " + attributes.error().message);
    }
    if (auto packs = parse_pack_list(columns.get(record, "packs")); packs) {
      item.packs = *packs;
    } else {
      problems.add(line, "packs: " + packs.error().message);
    }
    if (const auto weight = columns.get(record, "weight_g"); !weight.empty()) {
      if (auto parsed = parse_int(weight, 0, 1'000'000))
        item.weight_g = *parsed;
      else
        problems.add(line, "weight_g: " + parsed.error().message);
    }
    const std::string currency = columns.get(record, "currency").empty() ? "USD" : columns.get(record, "currency");
    if (const auto value = columns.get(record, "unit_value"); !value.empty()) {
      if (auto money = parse_money(value, currency))
        item.unit_value = *money;
      else
        problems.add(line, "unit_value: " + money.error().message);
    } else {
      item.unit_value.currency = currency;
    }
    for (const auto& flag : split(columns.get(record, "flags"), ';')) {
      if (flag == "image_check")
        item.image_check_required = true;
      else if (flag == "serial_tracked")
        item.serial_tracked = true;
      else if (flag == "serial_label")
        item.serial_tracked = item.serial_label = true;
      else if (flag == "no_visible_barcode")
        item.no_visible_barcode = true;
      else
        problems.add(
            line, fmt::format(
                      "flags: unknown flag '{}' (known: image_check, serial_tracked, serial_label, no_visible_barcode)",
                      flag));
    }
    add_item_checked(std::move(item), line, "sku " + sku, entries, problems);
  }
  return entries;
}

// --- Orders -----------------------------------------------------------------------------------

// Checks one order line against the catalog and the lines before it, at the place it was written.
void check_order_line(const Order& order, const OrderLine& order_line, int line, const std::string& where,
                      const Catalog& catalog, Problems& problems)
{
  for (const auto& earlier : order.lines) {
    if (&earlier != &order_line && earlier.line_no == order_line.line_no) {
      problems.add(line, fmt::format("{}{}order {} has line {} twice", where, where.empty() ? "" : ": ", order.id,
                                     order_line.line_no));
      break;
    }
    if (&earlier == &order_line) {
      break;
    }
  }
  Order single;
  single.id = order.id;
  single.lines.push_back(order_line);
  auto expanded = expand_order(single, catalog);
  if (!expanded) {
    const Kit* kit = order_line.sku.empty() ? nullptr : catalog.find_kit(order_line.sku);
    const char* field = kit && !kit_order_attributes(*kit).empty() ? "attributes"
                        : !order_line.sku.empty()                  ? "sku"
                        : order_line.style.empty()                 ? "sku"
                                                                   : "style";
    problems.add(line, where.empty() ? fmt::format("{}: {}", field, expanded.error().message)
                                     : fmt::format("{}.{}: {}", where, field, expanded.error().message));
  }
}

Result<std::vector<Order>> import_orders_json(std::string_view text, const std::string& name, const Catalog& catalog)
{
  Problems problems(name);
  PV_TRY_ASSIGN(auto document, parse_json(text, name));
  check_fields(document, {"orders"}, "file", 1, problems);
  const auto lines = element_lines(text, "orders");
  std::vector<Order> orders;
  std::set<std::string> seen;
  const Json& list = document["orders"];
  if (!list.is_array()) {
    problems.add(1, "orders: missing or not an array");
    return problems.refusal();
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const int line = line_of(lines, i);
    const std::string where = fmt::format("orders[{}]", i);
    const Json& object = list[i];
    if (!check_fields(object, {"id", "value", "currency", "customer", "image_check", "lines"}, where, line, problems)) {
      continue;
    }
    Order order;
    order.id = get_string(object, "id", where, line, problems, true);
    order.value = get_money(object, "value", where, line, problems, true);
    order.customer = get_string(object, "customer", where, line, problems, false);
    order.image_check_flagged = get_bool(object, "image_check", where, line, problems);
    if (!order.id.empty() && !seen.insert(order.id).second) {
      problems.add(line, fmt::format("{}: order {} appears twice", where, order.id));
    }
    auto order_lines = object.find("lines");
    if (order_lines == object.end() || !order_lines->is_array()) {
      problems.add(line, fmt::format("{}.lines: missing (a list of lines)", where));
      continue;
    }
    for (std::size_t l = 0; l < order_lines->size(); ++l) {
      const std::string line_where = fmt::format("{}.lines[{}]", where, l);
      const Json& line_object = (*order_lines)[l];
      if (!check_fields(line_object, {"line", "sku", "style", "attributes", "quantity", "description"}, line_where,
                        line, problems)) {
        continue;
      }
      OrderLine order_line;
      order_line.line_no =
          get_int(line_object, "line", line_where, line, problems, static_cast<std::int32_t>(l + 1), 1, 100'000);
      order_line.sku = get_string(line_object, "sku", line_where, line, problems, false);
      order_line.style = get_string(line_object, "style", line_where, line, problems, false);
      order_line.required_attributes = get_attributes(line_object, line_where, line, problems);
      order_line.quantity = get_int(line_object, "quantity", line_where, line, problems, 1, 1, 100'000);
      order_line.description = get_string(line_object, "description", line_where, line, problems, false);
      order.lines.push_back(std::move(order_line));
      check_order_line(order, order.lines.back(), line, line_where, catalog, problems);
    }
    if (order.lines.empty()) {
      problems.add(line, fmt::format("{}.lines: order {} has no lines", where, order.id));
    }
    if (!order.id.empty()) {
      orders.push_back(std::move(order));
    }
  }
  if (!problems.empty()) {
    return problems.refusal();
  }
  return orders;
}

Result<std::vector<Order>> import_orders_csv(std::string_view text, const std::string& name, const Catalog& catalog)
{
  Problems problems(name);
  PV_TRY_ASSIGN(auto table, open_csv_table(text, name,
                                           {"order_id", "value", "currency", "customer", "image_check", "line", "sku",
                                            "style", "attributes", "quantity", "description"},
                                           {"order_id", "value", "quantity"}, problems));
  const auto& records = table.records;
  const CsvColumns& columns = table.columns;
  std::vector<Order> orders;
  std::map<std::string, std::pair<std::size_t, int>> index; // order id → position, first line
  for (std::size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& record = records[r];
    const int line = record.line;
    const std::string id = columns.get(record, "order_id");
    if (id.empty()) {
      problems.add(line, "order_id: missing");
      continue;
    }
    const std::string currency = columns.get(record, "currency").empty() ? "USD" : columns.get(record, "currency");
    auto value = parse_money(columns.get(record, "value"), currency);
    if (!value) {
      problems.add(line, "value: " + value.error().message);
      continue;
    }
    if (value->minor < 0) {
      problems.add(line, "value: must not be negative");
      continue;
    }
    auto image_check = parse_bool(columns.get(record, "image_check"));
    if (!image_check) {
      problems.add(line, "image_check: " + image_check.error().message);
    }
    auto found = index.find(id);
    if (found == index.end()) {
      Order order;
      order.id = id;
      order.value = *value;
      order.customer = columns.get(record, "customer");
      order.image_check_flagged = image_check.value_or(false);
      found = index.emplace(id, std::make_pair(orders.size(), line)).first;
      orders.push_back(std::move(order));
    } else if (!(orders[found->second.first].value == *value)) {
      problems.add(line, fmt::format("value: order {} has value {} on line {}", id,
                                     format_money(orders[found->second.first].value), found->second.second));
    }
    Order& order = orders[found->second.first];
    OrderLine order_line;
    if (const auto number = columns.get(record, "line"); !number.empty()) {
      auto parsed = parse_int(number, 1, 100'000);
      if (!parsed) {
        problems.add(line, "line: " + parsed.error().message);
      }
      order_line.line_no = parsed.value_or(0);
    } else {
      order_line.line_no = static_cast<std::int32_t>(order.lines.size() + 1);
    }
    order_line.sku = columns.get(record, "sku");
    order_line.style = columns.get(record, "style");
    if (auto attributes = parse_attribute_list(columns.get(record, "attributes"))) {
      order_line.required_attributes = *attributes;
    } else {
      problems.add(line, "attributes: " + attributes.error().message);
    }
    auto quantity = parse_int(columns.get(record, "quantity"), 1, 100'000);
    if (!quantity) {
      problems.add(line, "quantity: " + quantity.error().message);
    }
    order_line.quantity = quantity.value_or(1);
    order_line.description = columns.get(record, "description");
    order.lines.push_back(std::move(order_line));
    check_order_line(order, order.lines.back(), line, "", catalog, problems);
  }
  if (!problems.empty()) {
    return problems.refusal();
  }
  return orders;
}

} // namespace

Result<FileFormat> format_of(const std::filesystem::path& path)
{
  const auto extension = path.extension().string();
  if (extension == ".csv" || extension == ".CSV")
    return FileFormat::csv;
  if (extension == ".json" || extension == ".JSON")
    return FileFormat::json;
  return make_error(
      ErrorType::invalid_input,
      fmt::format("{}: cannot tell the format from the extension; use .csv or .json, or --format", path.string()));
}

Result<std::size_t> import_catalog(std::string_view text, FileFormat format, const std::string& name, Catalog& catalog,
                                   const std::vector<Order>& open_orders)
{
  Problems problems(name);
  PV_TRY_ASSIGN(auto entries, format == FileFormat::json ? import_catalog_json(text, name, problems)
                                                         : import_catalog_csv(text, name, problems));
  // The file's entries replace stored ones of the same SKU (an item may become a kit and back);
  // everything else stored stays. Kits go last so they may name items from the file or the store.
  std::set<std::string> redefined;
  for (const auto& entry : entries.items)
    redefined.insert(entry.item.sku);
  for (const auto& entry : entries.kits)
    redefined.insert(entry.kit.sku);
  Catalog staged;
  for (const auto& item : catalog.items()) {
    if (!redefined.count(item.sku)) {
      if (auto kept = staged.add_item(item); !kept) {
        problems.add(0, "stored catalog: " + kept.error().message);
      }
    }
  }
  for (auto& entry : entries.items) {
    if (auto added = staged.add_item(std::move(entry.item)); !added) {
      problems.add(entry.line, fmt::format("{}: {}", entry.where, added.error().message));
    }
  }
  for (auto& entry : entries.kits) {
    if (auto added = staged.add_kit(std::move(entry.kit)); !added) {
      problems.add(entry.line, fmt::format("{}: {}", entry.where, added.error().message));
    }
  }
  for (const auto& kit : catalog.kits()) {
    if (!redefined.count(kit.sku)) {
      if (auto kept = staged.add_kit(kit); !kept) {
        problems.add(0, fmt::format("stored kit {} no longer fits the catalog: {}", kit.sku, kept.error().message));
      }
    }
  }
  // An order not yet packed must still be packable: a catalog that drops its SKU, or every item of
  // its style with the size it needs, would strand it at the bench.
  if (problems.empty()) {
    for (const auto& order : open_orders) {
      for (const auto& order_line : order.lines) {
        Order single;
        single.id = order.id;
        single.lines.push_back(order_line);
        if (auto expanded = expand_order(single, staged); !expanded) {
          problems.add(0, fmt::format("stored open order {} line {} would no longer fit the catalog: {}; pack or "
                                      "abandon it first, or keep what it needs in the file",
                                      order.id, order_line.line_no, expanded.error().message));
        }
      }
    }
  }
  if (!problems.empty()) {
    return problems.refusal();
  }
  catalog = std::move(staged);
  return entries.items.size() + entries.kits.size();
}

Result<std::vector<Order>> import_orders(std::string_view text, FileFormat format, const std::string& name,
                                         const Catalog& catalog)
{
  return format == FileFormat::json ? import_orders_json(text, name, catalog) : import_orders_csv(text, name, catalog);
}

Result<std::string> read_text_file(const std::filesystem::path& path)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorType::not_found, fmt::format("{}: no such file", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorType::io, fmt::format("{}: cannot be read", path.string()));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

} // namespace pickverify::app
