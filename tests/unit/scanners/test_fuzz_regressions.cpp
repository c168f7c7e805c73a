// Runs the libFuzzer harnesses over their kept corpora (seeds plus every input that once crashed),
// so a regression shows up in the ordinary test run, without clang or libFuzzer.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#define LLVMFuzzerTestOneInput fuzz_hid_descriptor_one_input
#include "../../fuzz/fuzz_hid_descriptor.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_keyboard_decoder_one_input
#include "../../fuzz/fuzz_keyboard_decoder.cpp"
#undef LLVMFuzzerTestOneInput

namespace {

std::size_t replay_corpus(const std::string& name, int (*harness)(const std::uint8_t*, std::size_t))
{
  std::size_t inputs = 0;
  const auto dir = std::filesystem::path(PICKVERIFY_FUZZ_CORPUS_DIR) / "corpus" / name;
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

TEST_CASE("parse_hid_report_descriptor and HidPosDecoder survive the kept fuzz corpus", "[fuzz]")
{
  CHECK(replay_corpus("hid_descriptor", &fuzz_hid_descriptor_one_input) >= 3);
}

TEST_CASE("KeyboardDecoder survives the kept fuzz corpus", "[fuzz]")
{
  CHECK(replay_corpus("keyboard_decoder", &fuzz_keyboard_decoder_one_input) >= 4);
}
