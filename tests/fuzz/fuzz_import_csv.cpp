// The catalog and orders CSV importers take files from anyone's spreadsheet: no input may crash
// them or slip damaged text into the catalog (fuzz_import_common.hpp says what is checked).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_import_common.hpp"

std::string fuzz_import_csv_transcript(const std::uint8_t* data, std::size_t size)
{
  return fuzz_import::transcript(data, size, pickverify::app::FileFormat::csv, "csv");
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz_import_csv_transcript(data, size);
  return 0;
}
