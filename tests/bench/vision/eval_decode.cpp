// Decode rate and time per frame of both decode budgets beside ZXing's own ReadBarcodes and zbar,
// in one run, on the generated corpus (as stored and as 1920x1080 station frames) and on a folder of
// real photos listed in expected.tsv (PICKVERIFY_REAL_PHOTOS_DIR, or --real DIR), and on the
// photo-like generated sets made at run time (tests/samples/scenes.hpp, seed 1 unless --seed).
//
//   pickverify_eval_decode [--real DIR] [--no-real] [--no-generated] [--no-scenes] [--set NAME]
//                          [--seed N] [--dump DIR] [--verbose]
//
// --set NAME evaluates only that generated set (repeatable); --dump DIR writes its frames as PNG
// with NN.txt beside each (for looking at them, not for checking in).
//
// Per set and reader: images read completely, symbols found / expected, misreads (a text the image
// does not hold), aborts (ReadBarcodes only: it runs in a child first, and is timed in-process only on
// images where it survived), median and p90 CPU milliseconds per image on this thread (one core).
#include "corpus.hpp"
#include "readers.hpp"
#include "scenes.hpp"

#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

using namespace pickverify;
using bench::Reader;

struct Case {
  std::string set;
  std::string name;
  cv::Mat grey;
  std::vector<std::string> expected;
  bool listed = false; // a listed photo: corpus::score_listed
};

struct Totals {
  int images = 0, complete = 0, expected = 0, found = 0, misread = 0, aborted = 0;
  std::vector<double> ms;
};

struct NamedReader {
  std::string name;
  Reader read;
  bool in_child = false;
};

double percentile(std::vector<double> values, double p)
{
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

std::string join(const std::vector<std::string>& texts)
{
  std::string out;
  for (const auto& t : texts) {
    out += (out.empty() ? "" : " ") + t;
  }
  return out.empty() ? "-" : out;
}

void evaluate(const char* title, const std::vector<Case>& cases, const std::vector<NamedReader>& readers, bool verbose)
{
  std::map<std::string, std::map<std::string, Totals>> table; // set -> reader -> totals
  std::map<std::string, std::vector<std::string>> incomplete; // reader -> images
  for (const auto& c : cases) {
    for (const auto& reader : readers) {
      auto& totals = table[c.set][reader.name];
      ++totals.images;
      totals.expected += static_cast<int>(c.expected.size());
      if (reader.in_child && !bench::read_in_child(reader.read, c.grey)) {
        ++totals.aborted;
        incomplete[reader.name].push_back(c.name + "(abort)");
        continue;
      }
      const double start = bench::thread_cpu_ms();
      const auto read = bench::same_numbers(reader.read(c.grey), c.expected);
      totals.ms.push_back(bench::thread_cpu_ms() - start);
      const auto score = c.listed ? corpus::score_listed(c.expected, read) : corpus::score(c.expected, read);
      totals.found += score.found;
      totals.misread += score.misread;
      totals.complete += score.passed() ? 1 : 0;
      if (!score.passed()) {
        incomplete[reader.name].push_back(c.name + (score.misread > 0 ? "(MISREAD " + join(read) + ")" : ""));
      }
      if (verbose) {
        std::printf("  %-28s %-12s %-6s %7.1f ms  read: %s\n", c.name.c_str(), reader.name.c_str(),
                    score.passed()      ? "ok"
                    : score.misread > 0 ? "MISREAD"
                                        : "miss",
                    totals.ms.back(), join(read).c_str());
      }
    }
  }
  std::printf("\n%s\n", title);
  std::printf("(complete/images  found/expected  misreads  aborts  median/p90 ms per image)\n");
  std::printf("%-18s", "set");
  for (const auto& reader : readers) {
    std::printf(" %-36s", reader.name.c_str());
  }
  std::printf("\n");
  std::map<std::string, Totals> sum;
  const auto print = [](const Totals& t) {
    char cell[96];
    std::snprintf(cell, sizeof cell, "%d/%d %d/%d %dm %da %.0f/%.0f", t.complete, t.images, t.found, t.expected,
                  t.misread, t.aborted, percentile(t.ms, 0.5), percentile(t.ms, 0.9));
    std::printf(" %-36s", cell);
  };
  for (const auto& [set, by_reader] : table) {
    std::printf("%-18s", set.c_str());
    for (const auto& reader : readers) {
      const auto& t = by_reader.at(reader.name);
      print(t);
      auto& s = sum[reader.name];
      s.images += t.images;
      s.complete += t.complete;
      s.expected += t.expected;
      s.found += t.found;
      s.misread += t.misread;
      s.aborted += t.aborted;
      s.ms.insert(s.ms.end(), t.ms.begin(), t.ms.end());
    }
    std::printf("\n");
  }
  std::printf("%-18s", "TOTAL");
  for (const auto& reader : readers) {
    print(sum[reader.name]);
  }
  std::printf("\n");
  for (const auto& reader : readers) {
    std::printf("%s incomplete:", reader.name.c_str());
    for (const auto& name : incomplete[reader.name]) {
      std::printf(" %s", name.c_str());
    }
    std::printf("\n");
  }
}

std::vector<Case> cases_of(const std::vector<corpus::SampleSet>& sets, bool listed)
{
  std::vector<Case> cases;
  for (const auto& set : sets) {
    for (const auto& sample : set.samples) {
      cv::Mat grey = corpus::load_grey(sample.image);
      if (grey.empty()) {
        std::fprintf(stderr, "cannot read %s\n", sample.image.string().c_str());
        continue;
      }
      cases.push_back({set.name, set.name + "/" + sample.image.filename().string(), grey, sample.expected, listed});
    }
  }
  return cases;
}

// Each image placed on a 1920x1080 cardboard-grey canvas, as a station camera would frame it.
std::vector<Case> as_station_frames(const std::vector<Case>& cases)
{
  const cv::Size frame_size(1920, 1080);
  std::vector<Case> out;
  for (const auto& c : cases) {
    if (c.grey.cols > frame_size.width || c.grey.rows > frame_size.height) {
      continue;
    }
    cv::Mat frame(frame_size, CV_8UC1, cv::Scalar(140));
    c.grey.copyTo(frame(cv::Rect((frame_size.width - c.grey.cols) / 2, (frame_size.height - c.grey.rows) / 2,
                                 c.grey.cols, c.grey.rows)));
    out.push_back({c.set, c.name, frame, c.expected, c.listed});
  }
  return out;
}

} // namespace

int main(int argc, char** argv)
{
  std::filesystem::path real = PICKVERIFY_REAL_PHOTOS_DIR;
  bool generated = true;
  bool with_scenes = true;
  bool verbose = false;
  std::uint64_t seed = 1;
  std::vector<std::string> scene_sets;
  std::filesystem::path dump;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--real") == 0 && i + 1 < argc) {
      real = argv[++i];
    } else if (std::strcmp(argv[i], "--no-real") == 0) {
      real.clear();
    } else if (std::strcmp(argv[i], "--no-generated") == 0) {
      generated = false;
    } else if (std::strcmp(argv[i], "--no-scenes") == 0) {
      with_scenes = false;
    } else if (std::strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
      scene_sets.emplace_back(argv[++i]);
    } else if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
      dump = argv[++i];
    } else if (std::strcmp(argv[i], "--verbose") == 0) {
      verbose = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--real DIR] [--no-real] [--no-generated] [--no-scenes] [--set NAME] "
                   "[--seed N] [--dump DIR] [--verbose]\n",
                   argv[0]);
      return 2;
    }
  }
  // One core: OpenCV's worker threads would do work this thread's CPU clock does not see.
  cv::setNumThreads(0);
  const std::vector<NamedReader> readers = {
      {"still", [](const cv::Mat& g) { return bench::read_pipeline(g, DecodeEffort::still); }, false},
      {"hands-free", [](const cv::Mat& g) { return bench::read_pipeline(g, DecodeEffort::hands_free); }, false},
      {"zxing ReadBarcodes", bench::read_zxing, true},
      {"zbar", bench::read_zbar, false},
  };
  const auto real_sets = real.empty() ? std::vector<corpus::SampleSet>{} : corpus::load_listed_photos(real);
  if (!real_sets.empty()) {
    evaluate(("Real photos: " + real.string()).c_str(), cases_of(real_sets, true), readers, verbose);
  } else {
    std::printf("no real photos (no expected.tsv in '%s'): skipped\n", real.string().c_str());
  }
  if (generated) {
    const auto stored = cases_of(corpus::load_sets(corpus::default_root()), false);
    evaluate("Generated corpus as stored", stored, readers, verbose);
    evaluate("Generated corpus as 1920x1080 station frames", as_station_frames(stored), readers, verbose);
  }
  if (with_scenes || !scene_sets.empty()) {
    if (scene_sets.empty()) {
      scene_sets = scenes::set_names();
    }
    std::vector<Case> cases;
    for (const auto& name : scene_sets) {
      const auto frames = scenes::make_set(name, seed);
      if (frames.empty()) {
        return 1;
      }
      for (const auto& frame : frames) {
        cases.push_back({name, frame.name, frame.grey, frame.expected, false});
        if (!dump.empty()) {
          const auto file = dump / frame.name;
          std::filesystem::create_directories(file.parent_path());
          cv::imwrite(file.string() + ".png", frame.grey);
          std::ofstream txt(file.string() + ".txt");
          for (const auto& text : frame.expected) {
            txt << text << "\n";
          }
        }
      }
    }
    evaluate(("Photo-like generated sets (seed " + std::to_string(seed) + ")").c_str(), cases, readers, verbose);
  }
  return 0;
}
