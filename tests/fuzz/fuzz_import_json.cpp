// The catalog and orders JSON importers: no input may crash them (nlohmann's exceptions included)
// or slip damaged text into the catalog (fuzz_import_common.hpp says what is checked).
#include <cstddef>
#include <cstdint>

#include "fuzz_import_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  fuzz_import::run(data, size, pickverify::app::FileFormat::json, "json");
  return 0;
}
