// The image check's comparison step, separate so that it can be tested without images. Internal.
#pragma once

#include <string>
#include <vector>

#include <pickverify/decode.hpp>
#include <pickverify/image_check_request.hpp>

namespace pickverify::vision {

enum class SymbolMark { expected, unexpected, ignored };

struct SymbolVerdict {
  Symbol symbol;
  SymbolMark mark = SymbolMark::unexpected;
  std::string key;   // GTIN-14, or the symbol text when it is not a trade item
  std::string label; // what the annotated photo prints beside the symbol
};

struct Comparison {
  std::vector<SymbolVerdict> symbols;
  std::vector<ExpectedUnit> found;
  std::vector<ExpectedUnit> missing;
  std::vector<std::string> unexpected;
};

// Matches symbols to expected units as multisets of GTIN-14. The units of a GTIN in the photo are
// the most labels of any one symbology (an item showing EAN-13 and GS1 DataMatrix is one unit);
// units beyond the expected count are unexpected, so is every symbol that is not a trade item.
Comparison compare_units(const std::vector<Symbol>& symbols, const ImageCheckRequest& request,
                         bool ignore_non_product_codes);

// "missing: Cushion insoles, M; unexpected: 09506000001487"
std::string describe(const Comparison& comparison, const ImageCheckRequest& request, std::size_t symbols_seen);

} // namespace pickverify::vision
