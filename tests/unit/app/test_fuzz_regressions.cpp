// Runs the importer fuzz harnesses over their kept corpora (seeds plus every input that once broke a
// promise), so a regression shows up in the ordinary test run, without clang or libFuzzer.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#define LLVMFuzzerTestOneInput fuzz_import_csv_one_input
#include "../../fuzz/fuzz_import_csv.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_import_json_one_input
#include "../../fuzz/fuzz_import_json.cpp"
#undef LLVMFuzzerTestOneInput

namespace {

std::size_t replay_corpus(const std::string& name, int (*harness)(const std::uint8_t*, std::size_t))
{
  std::size_t inputs = 0;
  const auto dir = std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "tests/fuzz/corpus" / name;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().filename().string());
    CHECK(harness(bytes.data(), bytes.size()) == 0);
    ++inputs;
  }
  return inputs;
}

} // namespace

TEST_CASE("import_catalog and import_orders CSV keep their promises on the kept fuzz corpus", "[fuzz][importer]")
{
  CHECK(replay_corpus("import_csv", &fuzz_import_csv_one_input) >= 4);
}

TEST_CASE("import_catalog and import_orders JSON keep their promises on the kept fuzz corpus", "[fuzz][importer]")
{
  CHECK(replay_corpus("import_json", &fuzz_import_json_one_input) >= 4);
}
