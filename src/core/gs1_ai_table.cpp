#include "gs1_ai_table.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include <pickverify/codes.hpp>
#include <pickverify/text.hpp>

namespace pickverify::gs1 {

namespace {

// One line of the table: an AI or a range of AIs sharing a layout. The layout uses the Syntax
// Dictionary's notation — components "N14", "X..20", "[N6]" (optional), each with an optional
// ",rule" — so that a reviewer can hold it against the GS1 sources line by line. Only rules this
// parser enforces are written; currency codes, IBANs and GS1 Company Prefixes are not checked.
struct Row {
  std::string_view first;
  std::string_view last; // empty: a single AI
  bool predefined;
  std::string_view spec;
  std::string_view title;
};

constexpr bool k_predefined = true;
constexpr bool k_separated = false;

// clang-format off
constexpr Row k_rows[] = {
  {"00", "", k_predefined, "N18,csum", "SSCC"},
  {"01", "", k_predefined, "N14,csum", "GTIN"},
  {"02", "", k_predefined, "N14,csum", "CONTENT"},
  {"03", "", k_predefined, "N14,csum", "MTO GTIN"},
  {"10", "", k_separated, "X..20", "BATCH/LOT"},
  {"11", "", k_predefined, "N6,yymmd0", "PROD DATE"},
  {"12", "", k_predefined, "N6,yymmd0", "DUE DATE"},
  {"13", "", k_predefined, "N6,yymmd0", "PACK DATE"},
  {"15", "", k_predefined, "N6,yymmd0", "BEST BEFORE or BEST BY"},
  {"16", "", k_predefined, "N6,yymmd0", "SELL BY"},
  {"17", "", k_predefined, "N6,yymmd0", "USE BY OR EXPIRY"},
  {"20", "", k_predefined, "N2", "VARIANT"},
  {"21", "", k_separated, "X..20", "SERIAL"},
  {"22", "", k_separated, "X..20", "CPV"},
  {"235", "", k_separated, "X..28", "TPX"},
  {"240", "", k_separated, "X..30", "ADDITIONAL ID"},
  {"241", "", k_separated, "X..30", "CUST. PART No."},
  {"242", "", k_separated, "N..6", "MTO VARIANT"},
  {"243", "", k_separated, "X..20", "PCN"},
  {"250", "", k_separated, "X..30", "SECONDARY SERIAL"},
  {"251", "", k_separated, "X..30", "REF. TO SOURCE"},
  {"253", "", k_separated, "N13,csum [X..17]", "GDTI"},
  {"254", "", k_separated, "X..20", "GLN EXTENSION COMPONENT"},
  {"255", "", k_separated, "N13,csum [N..12]", "GCN"},
  {"30", "", k_separated, "N..8", "VAR. COUNT"},
  {"3100", "3105", k_predefined, "N6", "NET WEIGHT (kg)"},
  {"3110", "3115", k_predefined, "N6", "LENGTH (m)"},
  {"3120", "3125", k_predefined, "N6", "WIDTH (m)"},
  {"3130", "3135", k_predefined, "N6", "HEIGHT (m)"},
  {"3140", "3145", k_predefined, "N6", "AREA (m2)"},
  {"3150", "3155", k_predefined, "N6", "NET VOLUME (l)"},
  {"3160", "3165", k_predefined, "N6", "NET VOLUME (m3)"},
  {"3200", "3205", k_predefined, "N6", "NET WEIGHT (lb)"},
  {"3210", "3215", k_predefined, "N6", "LENGTH (in)"},
  {"3220", "3225", k_predefined, "N6", "LENGTH (ft)"},
  {"3230", "3235", k_predefined, "N6", "LENGTH (yd)"},
  {"3240", "3245", k_predefined, "N6", "WIDTH (in)"},
  {"3250", "3255", k_predefined, "N6", "WIDTH (ft)"},
  {"3260", "3265", k_predefined, "N6", "WIDTH (yd)"},
  {"3270", "3275", k_predefined, "N6", "HEIGHT (in)"},
  {"3280", "3285", k_predefined, "N6", "HEIGHT (ft)"},
  {"3290", "3295", k_predefined, "N6", "HEIGHT (yd)"},
  {"3300", "3305", k_predefined, "N6", "GROSS WEIGHT (kg)"},
  {"3310", "3315", k_predefined, "N6", "LENGTH (m), log"},
  {"3320", "3325", k_predefined, "N6", "WIDTH (m), log"},
  {"3330", "3335", k_predefined, "N6", "HEIGHT (m), log"},
  {"3340", "3345", k_predefined, "N6", "AREA (m2), log"},
  {"3350", "3355", k_predefined, "N6", "VOLUME (l), log"},
  {"3360", "3365", k_predefined, "N6", "VOLUME (m3), log"},
  {"3370", "3375", k_predefined, "N6", "KG PER m2"},
  {"3400", "3405", k_predefined, "N6", "GROSS WEIGHT (lb)"},
  {"3410", "3415", k_predefined, "N6", "LENGTH (in), log"},
  {"3420", "3425", k_predefined, "N6", "LENGTH (ft), log"},
  {"3430", "3435", k_predefined, "N6", "LENGTH (yd), log"},
  {"3440", "3445", k_predefined, "N6", "WIDTH (in), log"},
  {"3450", "3455", k_predefined, "N6", "WIDTH (ft), log"},
  {"3460", "3465", k_predefined, "N6", "WIDTH (yd), log"},
  {"3470", "3475", k_predefined, "N6", "HEIGHT (in), log"},
  {"3480", "3485", k_predefined, "N6", "HEIGHT (ft), log"},
  {"3490", "3495", k_predefined, "N6", "HEIGHT (yd), log"},
  {"3500", "3505", k_predefined, "N6", "AREA (in2)"},
  {"3510", "3515", k_predefined, "N6", "AREA (ft2)"},
  {"3520", "3525", k_predefined, "N6", "AREA (yd2)"},
  {"3530", "3535", k_predefined, "N6", "AREA (in2), log"},
  {"3540", "3545", k_predefined, "N6", "AREA (ft2), log"},
  {"3550", "3555", k_predefined, "N6", "AREA (yd2), log"},
  {"3560", "3565", k_predefined, "N6", "NET WEIGHT (tr oz)"},
  {"3570", "3575", k_predefined, "N6", "NET VOLUME (oz)"},
  {"3600", "3605", k_predefined, "N6", "NET VOLUME (qt)"},
  {"3610", "3615", k_predefined, "N6", "NET VOLUME (gal.)"},
  {"3620", "3625", k_predefined, "N6", "VOLUME (qt), log"},
  {"3630", "3635", k_predefined, "N6", "VOLUME (gal.), log"},
  {"3640", "3645", k_predefined, "N6", "VOLUME (in3)"},
  {"3650", "3655", k_predefined, "N6", "VOLUME (ft3)"},
  {"3660", "3665", k_predefined, "N6", "VOLUME (yd3)"},
  {"3670", "3675", k_predefined, "N6", "VOLUME (in3), log"},
  {"3680", "3685", k_predefined, "N6", "VOLUME (ft3), log"},
  {"3690", "3695", k_predefined, "N6", "VOLUME (yd3), log"},
  {"37", "", k_separated, "N..8", "COUNT"},
  {"3900", "3909", k_separated, "N..15", "AMOUNT"},
  {"3910", "3919", k_separated, "N3 N..15", "AMOUNT"},
  {"3920", "3929", k_separated, "N..15", "PRICE"},
  {"3930", "3939", k_separated, "N3 N..15", "PRICE"},
  {"3940", "3943", k_separated, "N4", "PRCNT OFF"},
  {"3950", "3955", k_separated, "N6", "PRICE/UoM"},
  {"400", "", k_separated, "X..30", "ORDER NUMBER"},
  {"401", "", k_separated, "X..30", "GINC"},
  {"402", "", k_separated, "N17,csum", "GSIN"},
  {"403", "", k_separated, "X..30", "ROUTE"},
  {"410", "", k_predefined, "N13,csum", "SHIP TO LOC"},
  {"411", "", k_predefined, "N13,csum", "BILL TO"},
  {"412", "", k_predefined, "N13,csum", "PURCHASE FROM"},
  {"413", "", k_predefined, "N13,csum", "SHIP FOR LOC"},
  {"414", "", k_predefined, "N13,csum", "LOC No."},
  {"415", "", k_predefined, "N13,csum", "PAY TO"},
  {"416", "", k_predefined, "N13,csum", "PROD/SERV LOC"},
  {"417", "", k_predefined, "N13,csum", "PARTY"},
  {"420", "", k_separated, "X..20", "SHIP TO POST"},
  {"421", "", k_separated, "N3,iso3166 X..9", "SHIP TO POST"},
  {"422", "", k_separated, "N3,iso3166", "ORIGIN"},
  {"423", "", k_separated, "N3,iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166", "COUNTRY - INITIAL PROCESS"},
  {"424", "", k_separated, "N3,iso3166", "COUNTRY - PROCESS"},
  {"425", "", k_separated, "N3,iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166 [N3],iso3166", "COUNTRY - DISASSEMBLY"},
  {"426", "", k_separated, "N3,iso3166", "COUNTRY - FULL PROCESS"},
  {"427", "", k_separated, "X..3", "ORIGIN SUBDIVISION"},
  {"4300", "", k_separated, "X..35", "SHIP TO COMP"},
  {"4301", "", k_separated, "X..35", "SHIP TO NAME"},
  {"4302", "", k_separated, "X..70", "SHIP TO ADD1"},
  {"4303", "", k_separated, "X..70", "SHIP TO ADD2"},
  {"4304", "", k_separated, "X..70", "SHIP TO SUB"},
  {"4305", "", k_separated, "X..70", "SHIP TO LOC"},
  {"4306", "", k_separated, "X..70", "SHIP TO REG"},
  {"4307", "", k_separated, "X2", "SHIP TO COUNTRY"},
  {"4308", "", k_separated, "X..30", "SHIP TO PHONE"},
  {"4309", "", k_separated, "N10,latitude N10,longitude", "SHIP TO GEO"},
  {"4310", "", k_separated, "X..35", "RTN TO COMP"},
  {"4311", "", k_separated, "X..35", "RTN TO NAME"},
  {"4312", "", k_separated, "X..70", "RTN TO ADD1"},
  {"4313", "", k_separated, "X..70", "RTN TO ADD2"},
  {"4314", "", k_separated, "X..70", "RTN TO SUB"},
  {"4315", "", k_separated, "X..70", "RTN TO LOC"},
  {"4316", "", k_separated, "X..70", "RTN TO REG"},
  {"4317", "", k_separated, "X2", "RTN TO COUNTRY"},
  {"4318", "", k_separated, "X..20", "RTN TO POST"},
  {"4319", "", k_separated, "X..30", "RTN TO PHONE"},
  {"4320", "", k_separated, "X..35", "SRV DESCRIPTION"},
  {"4321", "", k_separated, "N1,yesno", "DANGEROUS GOODS"},
  {"4322", "", k_separated, "N1,yesno", "AUTH TO LEAVE"},
  {"4323", "", k_separated, "N1,yesno", "SIG REQUIRED"},
  {"4324", "", k_separated, "N6,yymmd0 N4,hhmm", "NOT BEF DEL DT"},
  {"4325", "", k_separated, "N6,yymmd0 N4,hhmm", "NOT AFT DEL DT"},
  {"4326", "", k_separated, "N6,yymmdd", "REL DATE"},
  {"4330", "", k_separated, "N6 [X1],hyphen", "MAX TEMP F."},
  {"4331", "", k_separated, "N6 [X1],hyphen", "MAX TEMP C."},
  {"4332", "", k_separated, "N6 [X1],hyphen", "MIN TEMP F."},
  {"4333", "", k_separated, "N6 [X1],hyphen", "MIN TEMP C."},
  {"7001", "", k_separated, "N13", "NSN"},
  {"7002", "", k_separated, "X..30", "MEAT CUT"},
  {"7003", "", k_separated, "N6,yymmdd N4,hhmm", "EXPIRY TIME"},
  {"7004", "", k_separated, "N..4", "ACTIVE POTENCY"},
  {"7005", "", k_separated, "X..12", "CATCH AREA"},
  {"7006", "", k_separated, "N6,yymmdd", "FIRST FREEZE DATE"},
  {"7007", "", k_separated, "N6,yymmdd [N6],yymmdd", "HARVEST DATE"},
  {"7008", "", k_separated, "X..3", "AQUATIC SPECIES"},
  {"7009", "", k_separated, "X..10", "FISHING GEAR TYPE"},
  {"7010", "", k_separated, "X..2", "PROD METHOD"},
  {"7011", "", k_separated, "N6,yymmdd [N4],hhmm", "TEST BY DATE"},
  {"7020", "", k_separated, "X..20", "REFURB LOT"},
  {"7021", "", k_separated, "X..20", "FUNC STAT"},
  {"7022", "", k_separated, "X..20", "REV STAT"},
  {"7023", "", k_separated, "X..30", "GIAI - ASSEMBLY"},
  {"7030", "7039", k_separated, "N3,iso3166999 X..27", "PROCESSOR #"},
  {"7040", "", k_separated, "N1 X1 X1 X1", "UIC+EXT"},
  {"7041", "", k_separated, "X..4", "UFRGT UNIT TYPE"},
  {"710", "", k_separated, "X..20", "NHRN PZN"},
  {"711", "", k_separated, "X..20", "NHRN CIP"},
  {"712", "", k_separated, "X..20", "NHRN CN"},
  {"713", "", k_separated, "X..20", "NHRN DRN"},
  {"714", "", k_separated, "X..20", "NHRN AIM"},
  {"715", "", k_separated, "X..20", "NHRN NDC"},
  {"716", "", k_separated, "X..20", "NHRN AIC"},
  {"717", "", k_separated, "X..20", "NHRN SRN"},
  {"7230", "7239", k_separated, "X2 X..28", "CERT #"},
  {"7240", "", k_separated, "X..20", "PROTOCOL"},
  {"7241", "", k_separated, "N2", "AIDC MEDIA TYPE"},
  {"7242", "", k_separated, "X..25", "VCN"},
  {"7250", "", k_separated, "N8,yyyymmdd", "DOB"},
  {"7251", "", k_separated, "N8,yyyymmdd N4,hhmm", "DOB TIME"},
  {"7252", "", k_separated, "N1", "BIO SEX"},
  {"7253", "", k_separated, "X..40", "FAMILY NAME"},
  {"7254", "", k_separated, "X..40", "GIVEN NAME"},
  {"7255", "", k_separated, "X..10", "SUFFIX"},
  {"7256", "", k_separated, "X..90", "FULL NAME"},
  {"7257", "", k_separated, "X..70", "PERSON ADDR"},
  {"7258", "", k_separated, "X3", "BIRTH SEQUENCE"},
  {"7259", "", k_separated, "X..40", "BABY"},
  {"8001", "", k_separated, "N4,nonzero N5,nonzero N3,nonzero N1,winding N1", "DIMENSIONS"},
  {"8002", "", k_separated, "X..20", "CMT No."},
  {"8003", "", k_separated, "N1,zero N13,csum [X..16]", "GRAI"},
  {"8004", "", k_separated, "X..30", "GIAI"},
  {"8005", "", k_separated, "N6", "PRICE PER UNIT"},
  {"8006", "", k_separated, "N14,csum N4,pieceoftotal", "ITIP"},
  {"8007", "", k_separated, "X..34", "IBAN"},
  {"8008", "", k_separated, "N6,yymmdd N2,hh [N2],mi [N2],ss", "PROD TIME"},
  {"8009", "", k_separated, "X..50", "OPTSEN"},
  {"8010", "", k_separated, "Y..30", "CPID"},
  {"8011", "", k_separated, "N..12", "CPID SERIAL"},
  {"8012", "", k_separated, "X..20", "VERSION"},
  {"8013", "", k_separated, "X..25,csumalpha", "GMN"},
  {"8014", "", k_separated, "X..25,csumalpha", "MUDI"},
  {"8017", "", k_separated, "N18,csum", "GSRN - PROVIDER"},
  {"8018", "", k_separated, "N18,csum", "GSRN - RECIPIENT"},
  {"8019", "", k_separated, "N..10", "SRIN"},
  {"8020", "", k_separated, "X..25", "REF No."},
  {"8026", "", k_separated, "N14,csum N4,pieceoftotal", "ITIP CONTENT"},
  {"8030", "", k_separated, "Z..90", "DIGSIG"},
  {"8040", "", k_separated, "N15", "IMEI"},
  {"8041", "", k_separated, "N15", "IMEI2"},
  {"8042", "", k_separated, "N32", "ESIM"},
  {"8043", "", k_separated, "N18 [N..2]", "PSIM"},
  {"8110", "", k_separated, "X..70", "COUPON CODE"},
  {"8111", "", k_separated, "N4", "POINTS"},
  {"8112", "", k_separated, "X..70", "PAPERLESS COUPON CODE"},
  {"8200", "", k_separated, "X..70", "PRODUCT URL"},
  {"90", "", k_separated, "X..30", "INTERNAL"},
  {"91", "99", k_separated, "X..90", "INTERNAL"},
};
// clang-format on

constexpr std::pair<std::string_view, Rule> k_rule_names[] = {
    {"csum", Rule::check_digit},
    {"csumalpha", Rule::check_pair},
    {"yymmd0", Rule::date_yymmd0},
    {"yymmdd", Rule::date_yymmdd},
    {"yyyymmdd", Rule::date_yyyymmdd},
    {"yymmddhh", Rule::date_yymmddhh},
    {"hhmm", Rule::time_hhmm},
    {"hh", Rule::hour},
    {"mi", Rule::minute},
    {"ss", Rule::second},
    {"yesno", Rule::yes_no},
    {"zero", Rule::zero},
    {"nonzero", Rule::nonzero},
    {"winding", Rule::winding},
    {"pieceoftotal", Rule::piece_of_total},
    {"hyphen", Rule::hyphen},
    {"latitude", Rule::latitude},
    {"longitude", Rule::longitude},
    {"iso3166", Rule::country},
    {"iso3166999", Rule::country_or_999},
};

// ISO 3166-1 numeric country codes, ascending (as GS1's reference linter lists them).
constexpr std::uint16_t k_iso3166_numeric[] = {
    4,   8,   10,  12,  16,  20,  24,  28,  31,  32,  36,  40,  44,  48,  50,  51,  52,  56,  60,  64,  68,  70,  72,
    74,  76,  84,  86,  90,  92,  96,  100, 104, 108, 112, 116, 120, 124, 132, 136, 140, 144, 148, 152, 156, 158, 162,
    166, 170, 174, 175, 178, 180, 184, 188, 191, 192, 196, 203, 204, 208, 212, 214, 218, 222, 226, 231, 232, 233, 234,
    238, 239, 242, 246, 248, 250, 254, 258, 260, 262, 266, 268, 270, 275, 276, 288, 292, 296, 300, 304, 308, 312, 316,
    320, 324, 328, 332, 334, 336, 340, 344, 348, 352, 356, 360, 364, 368, 372, 376, 380, 384, 388, 392, 398, 400, 404,
    408, 410, 414, 417, 418, 422, 426, 428, 430, 434, 438, 440, 442, 446, 450, 454, 458, 462, 466, 470, 474, 478, 480,
    484, 492, 496, 498, 499, 500, 504, 508, 512, 516, 520, 524, 528, 531, 533, 534, 535, 540, 548, 554, 558, 562, 566,
    570, 574, 578, 580, 581, 583, 584, 585, 586, 591, 598, 600, 604, 608, 612, 616, 620, 624, 626, 630, 634, 638, 642,
    643, 646, 652, 654, 659, 660, 662, 663, 666, 670, 674, 678, 682, 686, 688, 690, 694, 702, 703, 704, 705, 706, 710,
    716, 724, 728, 729, 732, 740, 744, 748, 752, 756, 760, 762, 764, 768, 772, 776, 780, 784, 788, 792, 795, 796, 798,
    800, 804, 807, 818, 826, 831, 832, 833, 834, 840, 850, 854, 858, 860, 862, 876, 882, 887, 894,
};

bool is_iso3166_numeric(std::string_view digits)
{
  const auto code = static_cast<std::uint16_t>((digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0'));
  return std::binary_search(std::begin(k_iso3166_numeric), std::end(k_iso3166_numeric), code);
}

std::optional<std::size_t> parse_number(std::string_view text)
{
  if (text.empty() || text.size() > 3) {
    return std::nullopt;
  }
  std::size_t value = 0;
  for (const char c : text) {
    if (!text::is_digit(c)) {
      return std::nullopt;
    }
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// "N14,csum", "[X..17]", "N..15" → Component. nullopt on a typo in the table (caught by a test
// that every AI has components).
std::optional<Component> parse_component(std::string_view text)
{
  Component component;
  std::string_view rule_name;
  if (const auto comma = text.find(','); comma != std::string_view::npos) {
    rule_name = text.substr(comma + 1);
    text = text.substr(0, comma);
  }
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    component.optional = true;
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty()) {
    return std::nullopt;
  }
  switch (text.front()) {
  case 'N':
    component.charset = Charset::numeric;
    break;
  case 'X':
    component.charset = Charset::cset82;
    break;
  case 'Y':
    component.charset = Charset::cset39;
    break;
  case 'Z':
    component.charset = Charset::base64url;
    break;
  default:
    return std::nullopt;
  }
  text.remove_prefix(1);
  const bool variable = text.substr(0, 2) == "..";
  if (variable) {
    text.remove_prefix(2);
  }
  const auto length = parse_number(text);
  if (!length || *length == 0 || *length > 255) {
    return std::nullopt;
  }
  component.max_length = static_cast<std::uint8_t>(*length);
  component.min_length = variable ? 1 : component.max_length;
  if (!rule_name.empty()) {
    const auto* found = std::find_if(std::begin(k_rule_names), std::end(k_rule_names),
                                     [&](const auto& entry) { return entry.first == rule_name; });
    if (found == std::end(k_rule_names)) {
      return std::nullopt;
    }
    component.rule = found->second;
  }
  return component;
}

AiDefinition make_definition(std::string_view ai, const Row& row)
{
  AiDefinition definition;
  std::copy(ai.begin(), ai.end(), definition.ai_digits.begin());
  definition.ai_length = static_cast<std::uint8_t>(ai.size());
  definition.title = row.title;
  definition.predefined_length = row.predefined;
  std::string_view spec = row.spec;
  while (!spec.empty() && definition.component_count < k_max_components) {
    const auto space = spec.find(' ');
    const auto token = spec.substr(0, space);
    spec = space == std::string_view::npos ? std::string_view{} : spec.substr(space + 1);
    const auto component = parse_component(token);
    if (!component) {
      definition.component_count = 0;
      return definition;
    }
    definition.components[definition.component_count++] = *component;
  }
  return definition;
}

std::vector<AiDefinition> build_table()
{
  std::vector<AiDefinition> table;
  for (const Row& row : k_rows) {
    if (row.last.empty()) {
      table.push_back(make_definition(row.first, row));
      continue;
    }
    // Ranges differ only in their last digit ("3100"–"3105", "91"–"99").
    std::string ai(row.first);
    for (char last = row.first.back(); last <= row.last.back(); ++last) {
      ai.back() = last;
      table.push_back(make_definition(ai, row));
    }
  }
  std::sort(table.begin(), table.end(), [](const AiDefinition& a, const AiDefinition& b) { return a.ai() < b.ai(); });
  return table;
}

const std::vector<AiDefinition>& table()
{
  static const std::vector<AiDefinition> k_table = build_table();
  return k_table;
}

std::string_view charset_letter(Charset charset)
{
  switch (charset) {
  case Charset::numeric:
    return "N";
  case Charset::cset82:
    return "X";
  case Charset::cset39:
    return "Y";
  case Charset::base64url:
    return "Z";
  }
  return "?";
}

std::string_view charset_name(Charset charset)
{
  switch (charset) {
  case Charset::numeric:
    return "digits only";
  case Charset::cset82:
    return "GS1 character set 82";
  case Charset::cset39:
    return "GS1 character set 39";
  case Charset::base64url:
    return "base64url";
  }
  return "?";
}

bool is_cset39(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '-' || c == '/';
}

bool is_base64url(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '=';
}

bool in_charset(Charset charset, unsigned char c)
{
  switch (charset) {
  case Charset::numeric:
    return c >= '0' && c <= '9';
  case Charset::cset82:
    return is_cset82(c);
  case Charset::cset39:
    return is_cset39(c);
  case Charset::base64url:
    return is_base64url(c);
  }
  return false;
}

int number_at(std::string_view digits, std::size_t pos, std::size_t count)
{
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    value = value * 10 + (digits[i] - '0');
  }
  return value;
}

std::uint64_t digits_value(std::string_view digits)
{
  std::uint64_t value = 0;
  for (const char c : digits) {
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

// GS1 General Specifications 7.9.5: data characters valued by their place in character set 82,
// weighted by ascending primes from the right, summed modulo 1021; the two 5-bit halves of the
// sum index character set 32.
std::optional<std::string> check_pair_problem(std::string_view value)
{
  constexpr std::string_view k_cset82_order =
      "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  constexpr std::string_view k_cset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  constexpr unsigned k_primes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29,  31,  37,  41,  43,  47, 53,
                                   59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127};
  if (value.size() < 2) {
    return std::string("too short for its check character pair");
  }
  const auto data = value.substr(0, value.size() - 2);
  if (data.size() > std::size(k_primes)) {
    return std::string("too long for its check character pair");
  }
  unsigned sum = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto place = k_cset82_order.find(data[data.size() - 1 - i]);
    if (place == std::string_view::npos) {
      return std::string("character outside GS1 character set 82");
    }
    sum += static_cast<unsigned>(place) * k_primes[i];
  }
  sum %= 1021;
  const std::string expected{k_cset32[sum >> 5], k_cset32[sum & 31]};
  if (value.substr(value.size() - 2) != expected) {
    return fmt::format("check characters: expected {}, got {}", expected, value.substr(value.size() - 2));
  }
  return std::nullopt;
}

// Two-digit years: GS1 resolves the century with a sliding window around the current year. For
// leap years that window (today 1977–2076) never crosses a century that is not a leap year
// before 2050, so "YY divisible by 4" is exact without reading the clock.
bool is_leap_year(int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month)
{
  constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year)) {
    return 29;
  }
  return k_days[month - 1];
}

bool is_valid_date(int year, int month, int day, bool day_may_be_zero)
{
  if (month < 1 || month > 12) {
    return false;
  }
  if (day == 0) {
    return day_may_be_zero;
  }
  return day <= days_in_month(year, month);
}

// Digits are already verified when a rule runs.
std::optional<std::string> check_rule(Rule rule, std::string_view value)
{
  const auto invalid = [&](std::string_view what) {
    return std::optional<std::string>(fmt::format("invalid {} {}", what, value));
  };
  switch (rule) {
  case Rule::none:
    return std::nullopt;
  case Rule::check_digit: {
    const int expected = gtin_check_digit(value.substr(0, value.size() - 1));
    const int actual = value.back() - '0';
    if (expected != actual) {
      return fmt::format("check digit: expected {}, got {}", expected, actual);
    }
    return std::nullopt;
  }
  case Rule::check_pair:
    return check_pair_problem(value);
  case Rule::date_yymmd0:
  case Rule::date_yymmdd:
    if (!is_valid_date(2000 + number_at(value, 0, 2), number_at(value, 2, 2), number_at(value, 4, 2),
                       rule == Rule::date_yymmd0)) {
      return invalid("date");
    }
    return std::nullopt;
  case Rule::date_yyyymmdd:
    if (!is_valid_date(number_at(value, 0, 4), number_at(value, 4, 2), number_at(value, 6, 2), false)) {
      return invalid("date");
    }
    return std::nullopt;
  case Rule::date_yymmddhh:
    if (!is_valid_date(2000 + number_at(value, 0, 2), number_at(value, 2, 2), number_at(value, 4, 2), false) ||
        number_at(value, 6, 2) > 23) {
      return invalid("date and hour");
    }
    return std::nullopt;
  case Rule::time_hhmm:
    if (number_at(value, 0, 2) > 23 || number_at(value, 2, 2) > 59) {
      return invalid("time");
    }
    return std::nullopt;
  case Rule::hour:
    return number_at(value, 0, 2) > 23 ? invalid("hour") : std::nullopt;
  case Rule::minute:
    return number_at(value, 0, 2) > 59 ? invalid("minutes") : std::nullopt;
  case Rule::second:
    return number_at(value, 0, 2) > 59 ? invalid("seconds") : std::nullopt;
  case Rule::yes_no:
    return value == "0" || value == "1" ? std::nullopt : invalid("flag (0 or 1)");
  case Rule::zero:
    return value == "0" ? std::nullopt : invalid("padding digit (must be 0)");
  case Rule::nonzero:
    return value.find_first_not_of('0') == std::string_view::npos ? invalid("zero value") : std::nullopt;
  case Rule::winding:
    return value == "0" || value == "1" || value == "9" ? std::nullopt : invalid("winding direction");
  case Rule::piece_of_total: {
    const int piece = number_at(value, 0, 2);
    const int total = number_at(value, 2, 2);
    if (piece == 0 || total == 0 || piece > total) {
      return invalid("piece of total");
    }
    return std::nullopt;
  }
  case Rule::hyphen:
    return value == "-" ? std::nullopt : invalid("sign (must be -)");
  case Rule::country:
    return is_iso3166_numeric(value) ? std::nullopt : invalid("country code");
  case Rule::country_or_999:
    return value == "999" || is_iso3166_numeric(value) ? std::nullopt : invalid("country code");
  case Rule::latitude:
    return digits_value(value) > 1800000000ULL ? invalid("latitude") : std::nullopt;
  case Rule::longitude:
    return digits_value(value) > 3600000000ULL ? invalid("longitude") : std::nullopt;
  }
  return std::nullopt;
}

} // namespace

bool is_cset82(unsigned char c)
{
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
    return true;
  }
  constexpr std::string_view k_punctuation = "!\"%&'()*+,-./:;<=>?_";
  return k_punctuation.find(static_cast<char>(c)) != std::string_view::npos;
}

std::string display_text(std::string_view data)
{
  constexpr std::size_t k_max_shown = 40;
  std::string shown = "\"";
  for (std::size_t i = 0; i < data.size() && i < k_max_shown; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      shown += fmt::format("\\x{:02X}", c);
    } else {
      shown += static_cast<char>(c);
    }
  }
  if (data.size() > k_max_shown) {
    shown += "...";
  }
  shown += '"';
  return shown;
}

std::size_t AiDefinition::min_length() const
{
  std::size_t length = 0;
  for (std::size_t i = 0; i < component_count; ++i) {
    if (!components[i].optional) {
      length += components[i].min_length;
    }
  }
  return length;
}

std::size_t AiDefinition::max_length() const
{
  std::size_t length = 0;
  for (std::size_t i = 0; i < component_count; ++i) {
    length += components[i].max_length;
  }
  return length;
}

std::string AiDefinition::format() const
{
  std::string text = fmt::format("N{}", ai_length);
  for (std::size_t i = 0; i < component_count; ++i) {
    const Component& component = components[i];
    const auto length = component.min_length == component.max_length ? fmt::format("{}", component.max_length)
                                                                     : fmt::format("..{}", component.max_length);
    const auto part = fmt::format("{}{}", charset_letter(component.charset), length);
    text += component.optional ? fmt::format("+[{}]", part) : fmt::format("+{}", part);
  }
  return text;
}

const AiDefinition* find_ai(std::string_view ai)
{
  const auto& entries = table();
  const auto found = std::lower_bound(entries.begin(), entries.end(), ai,
                                      [](const AiDefinition& d, std::string_view key) { return d.ai() < key; });
  if (found == entries.end() || found->ai() != ai) {
    return nullptr;
  }
  return &*found;
}

const AiDefinition* match_ai_prefix(std::string_view data)
{
  for (std::size_t length = 2; length <= 4 && length <= data.size(); ++length) {
    if (const auto* definition = find_ai(data.substr(0, length))) {
      return definition;
    }
  }
  return nullptr;
}

std::size_t ai_count()
{
  return table().size();
}

const AiDefinition& ai_at(std::size_t index)
{
  return table().at(index);
}

std::optional<std::string> validate_data(const AiDefinition& definition, std::string_view data)
{
  if (definition.component_count == 0) {
    return std::string("no layout known for this AI");
  }
  const auto min_length = definition.min_length();
  const auto max_length = definition.max_length();
  if (data.size() < min_length) {
    if (definition.is_fixed_length()) {
      return fmt::format("too short: {} characters, needs {}", data.size(), min_length);
    }
    return data.empty() ? std::string("empty value")
                        : fmt::format("too short: {} characters, needs at least {}", data.size(), min_length);
  }
  if (data.size() > max_length) {
    if (definition.is_fixed_length()) {
      return fmt::format("too long: {} characters, needs {}", data.size(), max_length);
    }
    return fmt::format("too long: {} characters, at most {}", data.size(), max_length);
  }

  std::size_t pos = 0;
  for (std::size_t i = 0; i < definition.component_count; ++i) {
    const Component& component = definition.components[i];
    const std::size_t remaining = data.size() - pos;
    if (remaining == 0 && component.optional) {
      break;
    }
    std::size_t length = std::min<std::size_t>(remaining, component.max_length);
    if (length < component.min_length) {
      return fmt::format("too short: {} characters, component {} needs {}", data.size(), i + 1, component.min_length);
    }
    const auto value = data.substr(pos, length);
    for (std::size_t k = 0; k < value.size(); ++k) {
      const auto c = static_cast<unsigned char>(value[k]);
      if (!in_charset(component.charset, c)) {
        if (component.charset == Charset::numeric) {
          return fmt::format("not numeric: {}", display_text(data));
        }
        return fmt::format("character {} at position {} is not in {}", display_text(value.substr(k, 1)), pos + k + 1,
                           charset_name(component.charset));
      }
    }
    if (auto problem = check_rule(component.rule, value)) {
      return problem;
    }
    pos += length;
  }
  if (pos != data.size()) {
    // Only optional fixed-length parts can leave a remainder (7007 with 9 digits, say).
    return fmt::format("wrong length: {} characters do not fit {}", data.size(), definition.format());
  }
  return std::nullopt;
}

} // namespace pickverify::gs1
