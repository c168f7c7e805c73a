// AIM symbology identifiers (ISO/IEC 15424) as GS1 General Specifications 5.1.2 lists them.
#include <pickverify/codes.hpp>

namespace pickverify {

namespace {

bool is_letter(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_modifier(char c)
{
  return (c >= '0' && c <= '9') || is_letter(c);
}

} // namespace

std::string AimId::to_string() const
{
  return std::string{']', code, modifier};
}

bool AimId::is_gs1() const
{
  // The identifiers that announce "FNC1 in first position": the data is a GS1 element string.
  switch (code) {
  case 'C':
    return modifier == '1'; // GS1-128
  case 'd':
    return modifier == '2'; // GS1 DataMatrix
  case 'Q':
    return modifier == '3'; // GS1 QR Code
  case 'e':
    return modifier == '0'; // GS1 DataBar (and composites)
  case 'J':
    return modifier == '1'; // GS1 DotCode
  case 'z':
    return modifier == '1'; // Aztec with FNC1 in first position
  default:
    return false;
  }
}

std::string_view AimId::symbology_name() const
{
  switch (code) {
  case 'E':
    switch (modifier) {
    case '0':
      return "EAN-13/UPC-A/UPC-E";
    case '1':
      return "EAN/UPC 2-digit add-on";
    case '2':
      return "EAN/UPC 5-digit add-on";
    case '3':
      return "EAN/UPC with add-on";
    case '4':
      return "EAN-8";
    default:
      return "EAN/UPC";
    }
  case 'C':
    switch (modifier) {
    case '1':
      return "GS1-128";
    case '2':
      return "Code 128 (AIM application)";
    case '4':
      return "Code 128 (ISBT concatenation)";
    default:
      return "Code 128";
    }
  case 'd':
    return modifier == '2' ? "GS1 DataMatrix" : "Data Matrix";
  case 'Q':
    return modifier == '3' ? "GS1 QR Code" : "QR Code";
  case 'e':
    return "GS1 DataBar";
  case 'J':
    return modifier == '1' ? "GS1 DotCode" : "DotCode";
  case 'I':
    return modifier == '1' || modifier == '3' ? "ITF-14 (Interleaved 2 of 5, check digit)" : "Interleaved 2 of 5";
  case 'A':
    return "Code 39";
  case 'G':
    return "Code 93";
  case 'F':
    return "Codabar";
  case 'L':
    return "PDF417";
  case 'z':
    return modifier == '1' ? "GS1 Aztec" : "Aztec";
  case 'X':
    return "other symbology";
  case 'Z':
    return "non-barcode (keyboard)";
  default:
    return "unknown symbology";
  }
}

std::optional<AimId> parse_aim(std::string_view text)
{
  if (text.size() != 3 || text[0] != ']' || !is_letter(text[1]) || !is_modifier(text[2])) {
    return std::nullopt;
  }
  return AimId{text[1], text[2]};
}

} // namespace pickverify
