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

// A folder of photos listed in expected.tsv (image, format, text, ... with a header line), such as
// ../shared/corpus/real-photos-1d: one set per first path component ("ean/image-001.jpg" is in
// "ean"). Empty when there is no expected.tsv.
std::vector<SampleSet> load_listed_photos(const std::filesystem::path& root);

// One image's score: found (expected symbols read), misread (texts read that are not expected, or
// expected fewer times than read).
struct Score {
  int expected = 0;
  int found = 0;
  int misread = 0;
  bool passed() const { return found == expected && misread == 0; }
};
Score score(const std::vector<std::string>& expected, const std::vector<std::string>& read);

// The score of a listed photo (load_listed_photos), whose list names the one text it is about without
// GS separators: a read of that text (GS removed) is found, however often the photo shows it (a
// ticket printing its code twice); any other text is a misread.
Score score_listed(const std::vector<std::string>& expected, const std::vector<std::string>& read);

cv::Mat load_grey(const std::filesystem::path& image);

} // namespace pickverify::corpus
