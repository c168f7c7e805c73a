// The golden corpus runner: for each set a minimum number of images read completely, and zero
// misreads — a text read that the image does not hold fails the set, whatever else passed.
#include <pickverify/decode.hpp>

#include "corpus.hpp"

#include <catch2/catch.hpp>

#include <map>

namespace {

// Images read completely, per set: raise these when the pipeline improves, never lower them to
// make a regression pass.
const std::map<std::string, int> k_minimum_passes = {
    {"code128-1", 11},    {"datamatrix-1", 18},     {"ean13-1", 12},    {"ean8-1", 12}, {"falsepositives-1", 16},
    {"gs1-128-1", 11},    {"gs1-datamatrix-1", 18}, {"malformed-1", 6}, {"multi-1", 8}, {"qr-1", 12},
    {"small-1080p-1", 6}, {"upca-1", 12},           {"upce-1", 12},
};

std::vector<std::string> read_texts(const cv::Mat& grey)
{
  pickverify::FrameView frame;
  frame.data = grey.data;
  frame.width = grey.cols;
  frame.height = grey.rows;
  frame.stride = static_cast<int>(grey.step[0]);
  frame.format = pickverify::PixelFormat::lum8;
  auto symbols = pickverify::decode(frame);
  REQUIRE(symbols.has_value());
  std::vector<std::string> texts;
  for (const auto& symbol : *symbols) {
    texts.push_back(symbol.text);
  }
  return texts;
}

} // namespace

TEST_CASE("decode reads the golden corpus with zero misreads", "[decode][corpus]")
{
  const auto sets = pickverify::corpus::load_sets(pickverify::corpus::default_root());
  REQUIRE(sets.size() == k_minimum_passes.size());
  for (const auto& set : sets) {
    DYNAMIC_SECTION(set.name)
    {
      const auto minimum = k_minimum_passes.find(set.name);
      REQUIRE(minimum != k_minimum_passes.end());
      int passed = 0;
      int misreads = 0;
      for (const auto& sample : set.samples) {
        const cv::Mat grey = pickverify::corpus::load_grey(sample.image);
        REQUIRE_FALSE(grey.empty());
        const auto read = read_texts(grey);
        const auto score = pickverify::corpus::score(sample.expected, read);
        if (score.misread > 0) {
          UNSCOPED_INFO("misread in " << sample.image.filename().string());
          for (const auto& text : read) {
            UNSCOPED_INFO("  read: " << text);
          }
        }
        if (score.found < score.expected) {
          WARN("missed in " << set.name << "/" << sample.image.filename().string() << ": read " << score.found << " of "
                            << score.expected);
        }
        misreads += score.misread;
        passed += score.passed() ? 1 : 0;
      }
      WARN(set.name << ": " << passed << "/" << set.samples.size() << " images read completely, " << misreads
                    << " misreads");
      CHECK(misreads == 0);
      CHECK(passed >= minimum->second);
    }
  }
}
