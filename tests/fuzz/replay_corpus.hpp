// The fuzz regression tests: every input kept in tests/fuzz/corpus/<target>/ (seeds and every input
// that once crashed) runs through its harness without libFuzzer, and what parsing returned must equal
// the transcript kept for it in tests/fuzz/expected/<target>/<input>.txt. After a deliberate change of
// behaviour, PICKVERIFY_FUZZ_UPDATE=1 rewrites the transcripts; review their diff before committing.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pickverify::fuzz {

using TranscriptFn = std::string (*)(const std::uint8_t* data, std::size_t size);

inline std::string read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Returns how many inputs were replayed.
inline std::size_t replay_corpus(const std::filesystem::path& fuzz_dir, const std::string& target,
                                 TranscriptFn transcript)
{
  const bool update = std::getenv("PICKVERIFY_FUZZ_UPDATE") != nullptr;
  const auto expected_dir = fuzz_dir / "expected" / target;
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(fuzz_dir / "corpus" / target)) {
    inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& input : inputs) {
    const std::string bytes = read_file(input);
    const std::string actual = transcript(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const auto expected_file = expected_dir / (input.filename().string() + ".txt");
    INFO(target << "/" << input.filename().string() << " (expected in " << expected_file.string() << ")");
    if (update) {
      std::filesystem::create_directories(expected_dir);
      std::ofstream(expected_file, std::ios::binary) << actual;
    }
    REQUIRE(std::filesystem::exists(expected_file));
    CHECK(actual == read_file(expected_file));
  }
  return inputs.size();
}

} // namespace pickverify::fuzz
