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

std::vector<SampleSet> load_listed_photos(const std::filesystem::path& root)
{
  std::vector<SampleSet> sets;
  std::ifstream in(root / "expected.tsv");
  std::string line;
  if (!in || !std::getline(in, line)) {
    return sets;
  }
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    for (std::size_t start = 0;;) {
      const auto tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) {
        break;
      }
      start = tab + 1;
    }
    if (fields.size() < 3 || fields[0].empty()) {
      continue;
    }
    const std::string set_name = fields[0].substr(0, fields[0].find('/'));
    auto set = std::find_if(sets.begin(), sets.end(), [&](const SampleSet& s) { return s.name == set_name; });
    if (set == sets.end()) {
      sets.push_back({set_name, {}});
      set = sets.end() - 1;
    }
    set->samples.push_back({root / fields[0], {unescape(fields[2])}});
  }
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

Score score_listed(const std::vector<std::string>& expected, const std::vector<std::string>& read)
{
  Score result;
  result.expected = static_cast<int>(expected.size());
  std::vector<bool> seen(expected.size(), false);
  for (std::string text : read) {
    text.erase(std::remove(text.begin(), text.end(), '\x1d'), text.end());
    const auto it = std::find(expected.begin(), expected.end(), text);
    if (it == expected.end()) {
      ++result.misread;
    } else {
      seen[static_cast<std::size_t>(it - expected.begin())] = true;
    }
  }
  result.found = static_cast<int>(std::count(seen.begin(), seen.end(), true));
  return result;
}

cv::Mat load_grey(const std::filesystem::path& image)
{
  return cv::imread(image.string(), cv::IMREAD_GRAYSCALE);
}

} // namespace pickverify::corpus
