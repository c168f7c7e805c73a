// GS1 association rules: which AIs may not appear together ("ex") and which need another ("req"),
// as the GS1 General Specifications (4.14) and the GS1 Barcode Syntax Dictionary state them. The
// rules are data (gs1_associations.cpp holds them in the Syntax Dictionary's own notation); this
// header is what the parser and the tests see of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/codes.hpp>

namespace pickverify::gs1 {

// An AI or a pattern of one: "01", "310n" (n: any digit), "31nn".
using AiPattern = std::string;

// One "req=" key: any one of the alternatives satisfies it; an alternative is a group of AIs that
// must all be present ("01+21").
using Requisite = std::vector<std::vector<AiPattern>>;

struct AssociationRule {
  std::string first; // the AI, or the first of a range ("3100")
  std::string last;  // the last of the range; equal to first for a single AI
  std::vector<Requisite> requisites;
  std::vector<AiPattern> excluded;
};

// Every rule, ascending by AI. Parsed once from the table; a line that does not parse is listed in
// association_table_problems(), and gs1_association_problem() then refuses every GS1 scan with it.
const std::vector<AssociationRule>& association_rules();
const std::vector<std::string>& association_table_problems();

// The rule for one AI, if it has one.
const AssociationRule* find_association_rule(std::string_view ai);

bool matches_pattern(std::string_view pattern, std::string_view ai);

// What an AI is, in words, for a rule's message: "the count of contained items".
std::string describe_ai(std::string_view ai_or_pattern);

} // namespace pickverify::gs1
