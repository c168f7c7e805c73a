// The catalog and orders CSV importers take files from anyone's spreadsheet: no input may crash
// them or slip damaged text into the catalog (fuzz_import_common.hpp says what is checked).
#include <cstddef>
#include <cstdint>

#include "fuzz_import_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  fuzz_import::run(data, size, pickverify::app::FileFormat::csv, "csv");
  return 0;
}
