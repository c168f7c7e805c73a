// The GS1 association rules as data, and their check. The table is written in the GS1 Barcode
// Syntax Dictionary's notation (gs1/gs1-syntax-dictionary, the "req=" and "ex=" attributes of each
// AI), so that a reviewer can hold it against the dictionary line by line:
//
//   req=01,02,8006     one of these must be present (each "req=" key separately)
//   req=01+21,253      either (01) with (21), or (253)
//   ex=310n,8111       none of these may be present; "n" is any digit; an AI never excludes itself
//
// Facts from the dictionary release the reference engine (gs1/gs1-syntax-engine) tests against.
#include "gs1_associations.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "gs1_ai_table.hpp"

namespace pickverify::gs1 {

namespace {

// AI (or first-last)   attributes
constexpr std::string_view k_rules = R"(
01         ex=255,37
02         ex=01,03 req=37
03         ex=01,02,37
10         req=01,02,03,8006,8026
11         req=01,02,03,8006,8026
12         req=8020
13         req=01,02,03,8006,8026
15         req=01,02,03,8006,8026
16         req=01,02,03,8006,8026
17         req=01,02,03,255,8006,8026
20         req=01,02,8006,8026
21         req=01,03,8006 ex=235
22         req=01
235        req=01
240        req=01,02,8006,8026
241        req=01,02,8006,8026
242        req=01,02,8006,8026
243        req=01
250        req=01,8006 req=21
251        req=01,8006
254        req=414
255        ex=01,02,415,8006,8020,8026
30         req=01,02
3100-3105  req=01,02 ex=310n
3110-3115  req=01,02 ex=311n
3120-3125  req=01,02 ex=312n
3130-3135  req=01,02 ex=313n
3140-3145  req=01,02 ex=314n
3150-3155  req=01,02 ex=315n
3160-3165  req=01,02 ex=316n
3200-3205  req=01,02 ex=320n
3210-3215  req=01,02 ex=321n
3220-3225  req=01,02 ex=322n
3230-3235  req=01,02 ex=323n
3240-3245  req=01,02 ex=324n
3250-3255  req=01,02 ex=325n
3260-3265  req=01,02 ex=326n
3270-3275  req=01,02 ex=327n
3280-3285  req=01,02 ex=328n
3290-3295  req=01,02 ex=329n
3300-3305  req=00,01 ex=330n
3310-3315  req=00,01 ex=331n
3320-3325  req=00,01 ex=332n
3330-3335  req=00,01 ex=333n
3340-3345  req=00,01 ex=334n
3350-3355  req=00,01 ex=335n
3360-3365  req=00,01 ex=336n
3370-3375  req=01 ex=337n
3400-3405  req=00,01 ex=340n
3410-3415  req=00,01 ex=341n
3420-3425  req=00,01 ex=342n
3430-3435  req=00,01 ex=343n
3440-3445  req=00,01 ex=344n
3450-3455  req=00,01 ex=345n
3460-3465  req=00,01 ex=346n
3470-3475  req=00,01 ex=347n
3480-3485  req=00,01 ex=348n
3490-3495  req=00,01 ex=349n
3500-3505  req=01,02 ex=350n
3510-3515  req=01,02 ex=351n
3520-3525  req=01,02 ex=352n
3530-3535  req=00,01 ex=353n
3540-3545  req=00,01 ex=354n
3550-3555  req=00,01 ex=355n
3560-3565  req=01,02 ex=356n
3570-3575  req=01,02 ex=357n
3600-3605  req=01,02 ex=360n
3610-3615  req=01,02 ex=361n
3620-3625  req=00,01 ex=362n
3630-3635  req=00,01 ex=363n
3640-3645  req=01,02 ex=364n
3650-3655  req=01,02 ex=365n
3660-3665  req=01,02 ex=366n
3670-3675  req=00,01 ex=367n
3680-3685  req=00,01 ex=368n
3690-3695  req=00,01 ex=369n
37         req=00 req=02,8026
3900-3909  req=255,8020 ex=390n,391n,394n,8111
3910-3919  req=8020 ex=391n
3920-3929  req=01 req=30,31nn,32nn,35nn,36nn ex=392n,393n
3930-3939  req=30,31nn,32nn,35nn,36nn ex=393n
3940-3943  req=255 ex=394n,8111
3950-3955  req=30,31nn,32nn,35nn,36nn ex=392n,393n,395n,8005
403        req=00
415        req=8020
420        ex=421
421        ex=4307
422        req=01,02,8006,8026 ex=426
423        req=01,02 ex=426
424        req=01,02 ex=426
425        req=01,02 ex=426
426        req=01,02
427        req=01,02 req=422
4300-4302  req=00
4303       req=4302
4304-4312  req=00
4313       req=4312
4314-4326  req=00
4330       req=00 ex=4331
4331       req=00 ex=4330
4332       req=00 ex=4333
4333       req=00 ex=4332
7001       req=01,02,8006,8026
7002-7003  req=01,02
7004       req=01 req=10
7005-7011  req=01,02
7020       req=01,8006 req=416
7021       req=01,8006
7022       req=7021
7030-7039  req=01,02
7041       req=00
710-716    req=01
7230-7239  req=01,8004
7240       req=01,8006
7241-7242  req=8017,8018
7250       req=8018 ex=7251
7251       req=8018 ex=7250
7252       req=8018
7253-7255  req=8017,8018 ex=7256,7259
7256       req=8017,8018
7257       req=8018
7258       req=8018+7259
7259       req=8018 ex=7256
8001       req=01
8005       req=01,02
8006       ex=01,37
8007       req=415
8008       req=01,02
8009       req=00,01
8011       req=8010
8012       req=01,8006
8014       req=01
8017       ex=8018
8018       ex=8017
8019       req=8017,8018
8020       req=415
8026       req=37 ex=02,8006
8030       req=00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018
8111       req=255
8200       req=01
)";

// Words for the AIs that rules require or exclude, so that a message says what is missing.
struct Description {
  std::string_view pattern;
  std::string_view words;
};

constexpr Description k_descriptions[] = {
    {"00", "the SSCC of the logistic unit"},
    {"01", "the GTIN of the item"},
    {"02", "the GTIN of the contained items"},
    {"03", "the made-to-order GTIN"},
    {"10", "the batch or lot"},
    {"21", "the serial number"},
    {"30", "a count of items"},
    {"31nn", "a metric measure"},
    {"32nn", "an imperial measure"},
    {"35nn", "an imperial area or weight"},
    {"36nn", "an imperial volume"},
    {"37", "the count of contained items"},
    {"235", "the third-party controlled serial"},
    {"253", "the document type (GDTI)"},
    {"255", "the coupon number (GCN)"},
    {"414", "the location number (GLN)"},
    {"415", "the GLN of the invoicing party"},
    {"416", "the GLN of the production location"},
    {"421", "the ship-to postal code with country"},
    {"422", "the country of origin"},
    {"426", "the country of full process"},
    {"4302", "the first ship-to address line"},
    {"4312", "the first return-to address line"},
    {"7021", "the functional status"},
    {"7256", "the full name"},
    {"7259", "the baby's name"},
    {"8003", "the returnable asset (GRAI)"},
    {"8004", "the individual asset (GIAI)"},
    {"8006", "the ITIP piece"},
    {"8010", "the component/part (CPID)"},
    {"8011", "the CPID serial"},
    {"8017", "the service provider's GSRN"},
    {"8018", "the service recipient's GSRN"},
    {"8020", "the payment slip reference"},
    {"8026", "the ITIP of the contained pieces"},
    {"8111", "the loyalty points"},
};

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

std::vector<std::string_view> words(std::string_view line)
{
  std::vector<std::string_view> found;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && line[pos] == ' ') {
      ++pos;
    }
    const auto end = std::min(line.find(' ', pos), line.size());
    if (end > pos) {
      found.push_back(line.substr(pos, end - pos));
    }
    pos = end;
  }
  return found;
}

bool valid_pattern(std::string_view pattern)
{
  return pattern.size() >= 2 && pattern.size() <= 4 &&
         std::all_of(pattern.begin(), pattern.end(), [](char c) { return (c >= '0' && c <= '9') || c == 'n'; });
}

struct ParsedTable {
  std::vector<AssociationRule> rules;
  std::vector<std::string> problems;
};

ParsedTable parse_table()
{
  ParsedTable table;
  for (const auto line : split(k_rules, '\n')) {
    const auto parts = words(line);
    if (parts.empty()) {
      continue;
    }
    AssociationRule rule;
    const auto range = split(parts[0], '-');
    rule.first = std::string(range[0]);
    rule.last = std::string(range.size() > 1 ? range[1] : range[0]);
    bool good = range.size() <= 2 && rule.first.size() == rule.last.size() && rule.first <= rule.last &&
                find_ai(rule.first) != nullptr && find_ai(rule.last) != nullptr;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const auto attribute = parts[i];
      if (attribute.substr(0, 4) == "req=") {
        Requisite requisite;
        for (const auto alternative : split(attribute.substr(4), ',')) {
          std::vector<AiPattern> group;
          for (const auto pattern : split(alternative, '+')) {
            good = good && valid_pattern(pattern);
            group.emplace_back(pattern);
          }
          requisite.push_back(std::move(group));
        }
        rule.requisites.push_back(std::move(requisite));
      } else if (attribute.substr(0, 3) == "ex=") {
        for (const auto pattern : split(attribute.substr(3), ',')) {
          good = good && valid_pattern(pattern);
          rule.excluded.emplace_back(pattern);
        }
      } else {
        good = false;
      }
    }
    if (!table.rules.empty() && table.rules.back().last >= rule.first &&
        table.rules.back().last.size() == rule.first.size()) {
      good = false; // out of order or overlapping
    }
    if (!good) {
      table.problems.push_back(fmt::format("bad association rule: {}", line));
      continue;
    }
    table.rules.push_back(std::move(rule));
  }
  std::sort(table.rules.begin(), table.rules.end(),
            [](const AssociationRule& a, const AssociationRule& b) { return a.first < b.first; });
  return table;
}

const ParsedTable& parsed_table()
{
  static const ParsedTable table = parse_table();
  return table;
}

} // namespace

const std::vector<AssociationRule>& association_rules()
{
  return parsed_table().rules;
}

const std::vector<std::string>& association_table_problems()
{
  return parsed_table().problems;
}

const AssociationRule* find_association_rule(std::string_view ai)
{
  const auto& rules = association_rules();
  // The last rule whose first AI is not above this one; ranges hold AIs of one length.
  auto it = std::upper_bound(rules.begin(), rules.end(), ai,
                             [](std::string_view key, const AssociationRule& rule) { return key < rule.first; });
  if (it == rules.begin()) {
    return nullptr;
  }
  --it;
  if (it->first.size() != ai.size() || ai > it->last) {
    return nullptr;
  }
  return &*it;
}

bool matches_pattern(std::string_view pattern, std::string_view ai)
{
  if (pattern.size() != ai.size()) {
    return false;
  }
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != 'n' && pattern[i] != ai[i]) {
      return false;
    }
  }
  return true;
}

std::string describe_ai(std::string_view ai_or_pattern)
{
  for (const auto& description : k_descriptions) {
    if (description.pattern == ai_or_pattern || matches_pattern(description.pattern, ai_or_pattern)) {
      return std::string(description.words);
    }
  }
  if (const auto* definition = find_ai(ai_or_pattern)) {
    return fmt::format("the {}", definition->title);
  }
  return fmt::format("AI ({})", ai_or_pattern);
}

} // namespace pickverify::gs1

namespace pickverify {

namespace {

// The distinct AIs of a scan, ascending: a scan may hold thousands of fields (an HTTP post), but
// only a few hundred AIs exist, so every rule is checked against this short list.
std::vector<std::string_view> distinct_ais(const std::vector<Gs1Field>& fields)
{
  std::vector<std::string_view> ais;
  ais.reserve(fields.size());
  for (const auto& field : fields) {
    ais.emplace_back(field.ai);
  }
  std::sort(ais.begin(), ais.end());
  ais.erase(std::unique(ais.begin(), ais.end()), ais.end());
  return ais;
}

bool has_ai(const std::vector<std::string_view>& ais, std::string_view pattern)
{
  return std::any_of(ais.begin(), ais.end(), [&](std::string_view ai) { return gs1::matches_pattern(pattern, ai); });
}

std::string join_alternatives(const std::vector<std::string>& parts)
{
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    text += i == 0 ? "" : (i + 1 == parts.size() ? " or " : ", ");
    text += parts[i];
  }
  return text;
}

// "(02) needs (37): the count of contained items"
std::string requisite_message(std::string_view ai, const gs1::Requisite& requisite)
{
  std::vector<std::string> names;
  std::vector<std::string> meanings;
  for (const auto& group : requisite) {
    std::string name;
    std::string meaning;
    for (const auto& pattern : group) {
      name += fmt::format("{}({})", name.empty() ? "" : "+", pattern);
      meaning += fmt::format("{}{}", meaning.empty() ? "" : " with ", gs1::describe_ai(pattern));
    }
    names.push_back(std::move(name));
    meanings.push_back(std::move(meaning));
  }
  return fmt::format("({}) needs {}: {}", ai, join_alternatives(names), join_alternatives(meanings));
}

// A digital signature (8030) signs a serialised key: GDTI, GCN and GRAI carry their serial
// component then (GS1 General Specifications 3.9.16; the reference engine's own rule).
std::optional<std::string> unserialised_key_problem(const std::vector<Gs1Field>& fields,
                                                    const std::vector<std::string_view>& ais)
{
  if (!has_ai(ais, "8030")) {
    return std::nullopt;
  }
  struct Key {
    std::string_view ai;
    std::size_t unserialised_length;
  };
  constexpr Key k_keys[] = {{"253", 13}, {"255", 13}, {"8003", 14}};
  for (const auto& field : fields) {
    for (const auto& key : k_keys) {
      if (field.ai == key.ai && field.value.size() <= key.unserialised_length) {
        return fmt::format("(8030) needs a serialised key: ({}) {} without its serial component", key.ai,
                           gs1::describe_ai(key.ai));
      }
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<std::string> gs1_association_problem(const std::vector<Gs1Field>& fields, bool requisite_ais)
{
  // A table line that does not parse must not pass quietly: every GS1 scan says so, every test fails.
  if (const auto& problems = gs1::association_table_problems(); !problems.empty()) {
    return problems.front();
  }
  const auto ais = distinct_ais(fields);
  // The AIs in scan order, each once: the first rule broken is named as the picker reads the label.
  std::vector<std::string_view> in_order;
  {
    std::vector<std::string_view> seen;
    for (const auto& field : fields) {
      const auto at = std::lower_bound(seen.begin(), seen.end(), std::string_view(field.ai));
      if (at == seen.end() || *at != field.ai) {
        seen.insert(at, field.ai);
        in_order.emplace_back(field.ai);
      }
    }
  }
  // Invalid pairs first, as the reference engine does: they can never be mended by another label.
  for (const auto ai : in_order) {
    const auto* rule = gs1::find_association_rule(ai);
    if (rule == nullptr) {
      continue;
    }
    for (const auto& pattern : rule->excluded) {
      for (const auto other : in_order) {
        if (other != ai && gs1::matches_pattern(pattern, other)) {
          return fmt::format("({}) and ({}) may not appear together: {} and {}", ai, other, gs1::describe_ai(ai),
                             gs1::describe_ai(other));
        }
      }
    }
  }
  if (requisite_ais) {
    for (const auto ai : in_order) {
      const auto* rule = gs1::find_association_rule(ai);
      if (rule == nullptr) {
        continue;
      }
      for (const auto& requisite : rule->requisites) {
        const bool satisfied = std::any_of(requisite.begin(), requisite.end(), [&](const auto& group) {
          return std::all_of(group.begin(), group.end(),
                             [&](const gs1::AiPattern& pattern) { return has_ai(ais, pattern); });
        });
        if (!satisfied) {
          return requisite_message(ai, requisite);
        }
      }
    }
  }
  return unserialised_key_problem(fields, ais);
}

} // namespace pickverify
