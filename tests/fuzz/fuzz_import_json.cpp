// The catalog and orders JSON importers: no input may crash them (nlohmann's exceptions included)
// or slip damaged text into the catalog (fuzz_import_common.hpp says what is checked).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_import_common.hpp"

std::string fuzz_import_json_transcript(const std::uint8_t* data, std::size_t size)
{
  return fuzz_import::transcript(data, size, pickverify::app::FileFormat::json, "json");
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz_import_json_transcript(data, size);
  return 0;
}
