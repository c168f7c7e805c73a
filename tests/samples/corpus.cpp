#include "corpus.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <fstream>

namespace pickverify::corpus {

namespace {

std::string unescape(const std::string& line)
{
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line.compare(i, 4, "\\x1d") == 0) {
      out += '\x1d';
      i += 3;
    } else {
      out += line[i];
    }
  }
  return out;
}

} // namespace

std::filesystem::path default_root()
{
  return std::filesystem::path(PICKVERIFY_SOURCE_DIR) / "tests" / "samples";
}

std::vector<SampleSet> load_sets(const std::filesystem::path& root)
{
  std::vector<SampleSet> sets;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (!entry.is_directory()) {
      continue;
    }
    SampleSet set{entry.path().filename().string(), {}};
    for (const auto& file : std::filesystem::directory_iterator(entry.path())) {
      const auto ext = file.path().extension();
      if (ext != ".png" && ext != ".jpg") {
        continue;
      }
      auto txt = file.path();
      txt.replace_extension(".txt");
      std::ifstream in(txt);
      if (!in) {
        continue;
      }
      Sample sample{file.path(), {}};
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
          sample.expected.push_back(unescape(line));
        }
      }
      set.samples.push_back(std::move(sample));
    }
    if (!set.samples.empty()) {
      std::sort(set.samples.begin(), set.samples.end(),
                [](const Sample& a, const Sample& b) { return a.image < b.image; });
      sets.push_back(std::move(set));
    }
  }
  std::sort(sets.begin(), sets.end(), [](const SampleSet& a, const SampleSet& b) { return a.name < b.name; });
  return sets;
}

Score score(const std::vector<std::string>& expected, const std::vector<std::string>& read)
{
  Score result;
  result.expected = static_cast<int>(expected.size());
  std::vector<std::string> remaining = expected;
  for (const auto& text : read) {
    auto it = std::find(remaining.begin(), remaining.end(), text);
    if (it == remaining.end()) {
      ++result.misread;
    } else {
      ++result.found;
      remaining.erase(it);
    }
  }
  return result;
}

cv::Mat load_grey(const std::filesystem::path& image)
{
  return cv::imread(image.string(), cv::IMREAD_GRAYSCALE);
}

} // namespace pickverify::corpus
