// Barcode data → what it means: GTIN check digits and forms, AIM symbology identifiers, GS1 element
// strings. Pure functions; unit-tested against the GS1 General Specifications' own examples.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pickverify/error.hpp>

namespace pickverify {

// --- GTIN ---------------------------------------------------------------------------------------

// Check digit for the digits that precede it (weights 3,1,3,1… from the right). Digits only.
int gtin_check_digit(std::string_view digits_without_check);
bool has_valid_gtin_check_digit(std::string_view digits);

// GTIN-8/12/13/14 (digits only, check digit verified) → the 14-digit form used for every comparison.
Result<std::string> normalize_gtin(std::string_view digits);

// UPC-E (8 digits: number system 0/1, six data digits, check digit) → UPC-A (12 digits).
Result<std::string> expand_upce(std::string_view upce);

// Prefix 02 or 20–29 (in GTIN-13 terms): restricted-circulation / variable-measure numbers.
bool is_restricted_circulation(std::string_view gtin14);

// --- AIM symbology identifiers (ISO/IEC 15424) ----------------------------------------------------

struct AimId {
  char code = 0;                           // 'E', 'C', 'd', 'Q', 'e', 'I', ...
  char modifier = 0;                       // '0'..'9', 'A'..'Z'
  std::string to_string() const;           // "]C1"
  bool is_gs1() const;                     // ]C1 ]d2 ]Q3 ]e0 ]J1 ...
  std::string_view symbology_name() const; // "EAN-13/UPC-A", "GS1-128", "GS1 DataMatrix", ...
};

std::optional<AimId> parse_aim(std::string_view text); // exactly "]Xm"

// --- GS1 element strings ------------------------------------------------------------------------

struct Gs1Field {
  std::string ai; // "01", "10", "3103", ...
  std::string value;
};

// Unbracketed element string as scanners send it: fields with predefined length run on, every
// other field ends with GS (0x1D) unless it is last. A leading FNC1/GS is tolerated.
Result<std::vector<Gs1Field>> parse_gs1_element_string(std::string_view data);

// Human-readable form "(01)09506000134352(10)ABC".
Result<std::vector<Gs1Field>> parse_gs1_hri(std::string_view text);

// GS1 Digital Link URI as QR codes on consumer goods carry it:
// "https://id.gs1.org/01/09506000134352/10/ABC?17=201225" → (01)(10)(17). A GTIN-8/12/13 in the
// path becomes its 14-digit form; query parameters that are not AIs are ignored.
Result<std::vector<Gs1Field>> parse_gs1_digital_link(std::string_view uri);

// Renders fields as HRI: "(01)09506000134352(10)ABC".
std::string to_hri(const std::vector<Gs1Field>& fields);

// Renders fields as an element string for a GS1 symbol: GS after every field without a predefined
// length unless it is last. parse_gs1_element_string(to_element_string(f)) gives f back.
std::string to_element_string(const std::vector<Gs1Field>& fields);

// What the GS1 General Specifications say about one AI, for screens and reports.
struct Gs1AiInfo {
  std::string ai;                 // "3103"
  std::string_view title;         // GS1 data title: "NET WEIGHT (kg)"
  std::string format;             // "N4+N6", "N2+X..20", "N3+N13+[X..17]"
  bool predefined_length = false; // never followed by GS (00, 01, 02, 03, 11-20, 31xx-36xx, 41x)
  bool has_check_digit = false;   // a component ends in a GS1 mod-10 check digit
  bool has_date = false;          // a component is a date (YYMMDD; DD 00 allowed where GS1 says so)
};

std::optional<Gs1AiInfo> gs1_ai_info(std::string_view ai); // nullopt: not a GS1 AI

// GS1 association rules (General Specifications 4.14; the GS1 Barcode Syntax Dictionary's "ex" and
// "req" attributes): AIs that may not appear together, AIs that need another, and a digital
// signature (8030) that needs a serialised key. nullopt when the fields obey them, otherwise the
// first rule broken, in words: "(02) needs (37): the count of contained items". Invalid pairs are
// always checked; requisite_ais = false skips the "needs" rules (the reference engine's switch, for
// data split over several labels of one item).
std::optional<std::string> gs1_association_problem(const std::vector<Gs1Field>& fields, bool requisite_ais = true);
std::vector<std::string> gs1_known_ais(); // every AI, ranges expanded, ascending

// --- One scan's payload -------------------------------------------------------------------------

enum class CodeKind {
  gtin,             // a trade item number: gtin14 is set (from EAN/UPC or GS1 AI 01/02)
  variable_measure, // restricted-circulation number (prefix 02, 20–29): not a fixed GTIN
  gs1_other,        // a valid GS1 string without AI 01/02 (an SSCC label, say)
  text,             // not a GTIN or GS1 data: an order id, a command barcode, a free text
  malformed,        // looks like a GTIN/GS1 code but breaks its rules: reason says how
};

std::string_view to_string(CodeKind kind);

struct ParsedCode {
  CodeKind kind = CodeKind::text;
  std::optional<AimId> aim;            // from the device or a "]Xm" prefix of the data
  std::string data;                    // the payload with any AIM prefix removed
  std::string gtin14;                  // kind == gtin (or variable_measure): 14 digits
  std::vector<std::string> alternates; // other valid GTIN-14 readings of ambiguous data (8 digits: EAN-8 vs UPC-E)
  std::vector<Gs1Field> fields;        // GS1 fields when the payload is GS1
  std::string reason;                  // kind == malformed: "check digit: expected 7, got 3"
  bool breaks_association = false;     // malformed because the label's AIs break a GS1 association
                                       // rule: reading it again gives the same answer
  bool contained = false;              // from AI 02: gtin14 names the trade items inside a logistic unit
  std::int32_t contained_count = 0;    // AI 37 with AI 02: how many of them (0 when absent)
};

struct ParseOptions {
  bool gs1_requisite_ais = true; // check the "needs" rules of GS1 association (Policy::gs1_requisite_ais)
};

// raw: bytes exactly as read. device_aim: the AIM id a device reported out of band, if any.
// Never fails: bad data is kind == malformed (with a reason) or kind == text.
//
// A "]Xm" prefix is stripped and taken as the AIM id (a valid device_aim wins); a trailing CR/LF/Tab
// is dropped. Then, in this order:
//   GS1 AIM id (]C1 ]d2 ]Q3 ]e0 ]J1)  → element string (or HRI if it starts with "(")
//   "(AI)…" with a known AI           → GS1 HRI
//   http(s)://…/01/…                  → GS1 Digital Link (any primary key: 00, 01, 414, ...)
//   digits only                       → ]E4: EAN-8; ]E0 + 8 digits: UPC-E; ]E3: main symbol of an
//                                       add-on code; 8 digits, no AIM id: EAN-8 with the UPC-E reading
//                                       in `alternates` (or UPC-E alone if only it is valid);
//                                       8/12/13/14 digits: GTIN; other lengths holding a GS1 string
//                                       with AI 00/01/02 (a wedge dropped the FNC1): GS1
//   GS-separated or "01"+valid GTIN…  → GS1 without an AIM id
//   anything else                     → text (order ids, commands)
// A GTIN (or AI 01/02) with prefix 02/20–29 is variable_measure; GS1 without 01/02 is gs1_other.
// Digits under symbologies that carry any number (Code 128, Code 39, QR, ...) that fail GTIN rules
// are text; under EAN/UPC, ITF or with no AIM id they are malformed.
// GS1 fields, however they came, must obey the association rules (gs1_association_problem): a
// violation is malformed with breaks_association set.
ParsedCode parse_code(std::string_view raw, std::optional<std::string_view> device_aim = std::nullopt,
                      const ParseOptions& options = {});

} // namespace pickverify
