// Reading the golden corpus: its sets, their images and expected symbols, and scoring a reader's
// answers against them. Shared by the corpus runner and the decode benchmark.
#pragma once

#include <opencv2/core.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace pickverify::corpus {

struct Sample {
  std::filesystem::path image;
  std::vector<std::string> expected; // GS already unescaped
};

struct SampleSet {
  std::string name; // "ean13-1"
  std::vector<Sample> samples;
};

// Every set under root (folders holding NN.png/NN.jpg + NN.txt), sorted by name.
std::vector<SampleSet> load_sets(const std::filesystem::path& root);
std::filesystem::path default_root(); // tests/samples of the source tree

// One image's score: found (expected symbols read), misread (texts read that are not expected, or
// expected fewer times than read).
struct Score {
  int expected = 0;
  int found = 0;
  int misread = 0;
  bool passed() const { return found == expected && misread == 0; }
};
Score score(const std::vector<std::string>& expected, const std::vector<std::string>& read);

cv::Mat load_grey(const std::filesystem::path& image);

} // namespace pickverify::corpus
