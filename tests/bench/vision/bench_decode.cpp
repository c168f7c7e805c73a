// Decode benchmark: per 1920x1080 frame on one core, station formats.
//   pipeline : pickverify::decode (single-result reads, paint-over, candidate regions, validation)
//   zxing    : plain ZXing 1.4 ReadBarcodes with its defaults and the station formats
//   zbar     : zbar's image scanner (EAN/UPC, Code 128, QR; it has no DataMatrix)
// Before timing, each reader's decode rate and misreads on the golden corpus are printed. Debian's
// ZXing ReadBarcodes abort()s on some frames (PLATFORM.md), so its corpus run and an abort probe
// of every frame happen in forked children; frames on which it aborts are left out of its timing.
// The readers themselves are readers.hpp's, shared with pickverify_eval_decode.
#include <pickverify/decode.hpp>

#include "corpus.hpp"
#include "readers.hpp"

#include <benchmark/benchmark.h>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using pickverify::bench::read_in_child;
using pickverify::bench::read_zbar;
using pickverify::bench::read_zxing;
using pickverify::bench::Reader;
using pickverify::bench::same_numbers;

const cv::Size k_frame(1920, 1080);

// The real-time effort, as the station's camera path runs it.
std::vector<std::string> read_pipeline(const cv::Mat& grey)
{
  return pickverify::bench::read_pipeline(grey, pickverify::DecodeEffort::hands_free);
}

// Every corpus image as a station frame: placed on a 1920x1080 cardboard-grey canvas when smaller.
struct Frame {
  std::string name;
  cv::Mat grey;
  std::vector<std::string> expected;
};

const std::vector<Frame>& frames()
{
  static const std::vector<Frame> all = [] {
    std::vector<Frame> out;
    for (const auto& set : pickverify::corpus::load_sets(pickverify::corpus::default_root())) {
      for (const auto& sample : set.samples) {
        cv::Mat image = pickverify::corpus::load_grey(sample.image);
        if (image.cols > k_frame.width || image.rows > k_frame.height) {
          continue;
        }
        cv::Mat frame(k_frame, CV_8UC1, cv::Scalar(140));
        image.copyTo(frame(
            cv::Rect((k_frame.width - image.cols) / 2, (k_frame.height - image.rows) / 2, image.cols, image.rows)));
        out.push_back({set.name + "/" + sample.image.filename().string(), frame, sample.expected});
      }
    }
    return out;
  }();
  return all;
}

// Frames on which plain ReadBarcodes aborts, found once in children.
const std::vector<bool>& zxing_aborts()
{
  static const std::vector<bool> aborts = [] {
    std::vector<bool> out;
    for (const auto& frame : frames()) {
      out.push_back(!read_in_child(read_zxing, frame.grey).has_value());
    }
    return out;
  }();
  return aborts;
}

struct Case {
  std::string set;
  cv::Mat grey;
  std::vector<std::string> expected;
  std::string name;
};

void report_rates(const char* title, const std::vector<Case>& cases)
{
  struct Totals {
    int images = 0, complete = 0, expected = 0, found = 0, misread = 0, aborted = 0;
  };
  const std::vector<std::pair<std::string, Reader>> readers = {
      {"pipeline", read_pipeline}, {"zxing", read_zxing}, {"zbar", read_zbar}};
  std::map<std::string, std::map<std::string, Totals>> table; // set -> reader -> totals
  std::vector<std::string> pipeline_misses;
  for (const auto& c : cases) {
    for (const auto& [name, reader] : readers) {
      auto& totals = table[c.set][name];
      ++totals.images;
      totals.expected += static_cast<int>(c.expected.size());
      const auto read = name == "zxing" ? read_in_child(reader, c.grey) : std::optional(reader(c.grey));
      if (!read) {
        ++totals.aborted;
        continue;
      }
      const auto score = pickverify::corpus::score(c.expected, same_numbers(*read, c.expected));
      totals.found += score.found;
      totals.misread += score.misread;
      totals.complete += score.passed() ? 1 : 0;
      if (name == "pipeline" && !score.passed()) {
        pipeline_misses.push_back(c.name);
      }
    }
  }
  std::printf("\n%s (images complete / symbols found / misreads / aborts)\n", title);
  std::printf("%-18s %-28s %-28s %-28s\n", "set", "pipeline", "zxing ReadBarcodes", "zbar");
  std::map<std::string, Totals> sum;
  auto print = [](const Totals& t) {
    char cell[64];
    std::snprintf(cell, sizeof cell, "%d/%d  %d/%d  %dm  %da", t.complete, t.images, t.found, t.expected, t.misread,
                  t.aborted);
    std::printf(" %-28s", cell);
  };
  for (const auto& [set, by_reader] : table) {
    std::printf("%-18s", set.c_str());
    for (const auto* name : {"pipeline", "zxing", "zbar"}) {
      const auto& t = by_reader.at(name);
      print(t);
      auto& s = sum[name];
      s.images += t.images;
      s.complete += t.complete;
      s.expected += t.expected;
      s.found += t.found;
      s.misread += t.misread;
      s.aborted += t.aborted;
    }
    std::printf("\n");
  }
  std::printf("%-18s", "TOTAL");
  for (const auto* name : {"pipeline", "zxing", "zbar"}) {
    print(sum[name]);
  }
  std::printf("\npipeline incomplete:");
  for (const auto& name : pipeline_misses) {
    std::printf(" %s", name.c_str());
  }
  std::printf("\n\n");
}

std::vector<Case> corpus_cases()
{
  std::vector<Case> cases;
  for (const auto& set : pickverify::corpus::load_sets(pickverify::corpus::default_root())) {
    for (const auto& sample : set.samples) {
      cases.push_back({set.name, pickverify::corpus::load_grey(sample.image), sample.expected,
                       set.name + "/" + sample.image.filename().string()});
    }
  }
  return cases;
}

std::vector<Case> frame_cases()
{
  std::vector<Case> cases;
  for (const auto& frame : frames()) {
    cases.push_back({frame.name.substr(0, frame.name.find('/')), frame.grey, frame.expected, frame.name});
  }
  return cases;
}

// The machine is shared: CPU time of this thread is what one core spends on a frame, wall time is
// not.
double thread_cpu_ms()
{
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// Reads in a forked child per frame: what isolating every decode in its own process would cost.
std::vector<std::string> read_pipeline_forked(const cv::Mat& grey)
{
  return read_in_child(read_pipeline, grey).value_or(std::vector<std::string>{});
}

// Times each frame once per iteration and reports the median and 90th percentile per frame.
void time_frames(benchmark::State& state, const Reader& reader, bool skip_zxing_aborts)
{
  std::vector<double> ms;
  std::size_t symbols = 0;
  int skipped = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < frames().size(); ++i) {
      if (skip_zxing_aborts && zxing_aborts()[i]) {
        ++skipped;
        continue;
      }
      const double start = thread_cpu_ms();
      const auto texts = reader(frames()[i].grey);
      const double stop = thread_cpu_ms();
      symbols += texts.size();
      ms.push_back(stop - start);
    }
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    state.counters["median_ms"] = ms[ms.size() / 2];
    state.counters["p90_ms"] = ms[ms.size() * 9 / 10];
    state.counters["max_ms"] = ms.back();
  }
  state.counters["frames"] = static_cast<double>(ms.size()) / static_cast<double>(state.iterations());
  state.counters["skipped_aborts"] = static_cast<double>(skipped) / static_cast<double>(state.iterations());
  state.counters["symbols"] = static_cast<double>(symbols) / static_cast<double>(state.iterations());
}

void BM_decode_pipeline(benchmark::State& state)
{
  time_frames(state, read_pipeline, false);
}
void BM_decode_zxing_plain(benchmark::State& state)
{
  time_frames(state, read_zxing, true);
}
void BM_decode_zbar(benchmark::State& state)
{
  time_frames(state, read_zbar, false);
}
// Wall time of parent and child together is the honest figure here: use the real-time counter.
void BM_decode_pipeline_forked(benchmark::State& state)
{
  for (auto _ : state) {
    for (const auto& frame : frames()) {
      benchmark::DoNotOptimize(read_pipeline_forked(frame.grey));
    }
  }
  state.counters["frames"] = static_cast<double>(frames().size());
}
// The same frames the ZXing baseline could time, for a like-for-like median.
void BM_decode_pipeline_zxing_frames(benchmark::State& state)
{
  time_frames(state, read_pipeline, true);
}

BENCHMARK(BM_decode_pipeline)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_decode_pipeline_zxing_frames)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_decode_zxing_plain)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_decode_zbar)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_decode_pipeline_forked)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

int main(int argc, char** argv)
{
  benchmark::Initialize(&argc, argv);
  // One core: OpenCV's own worker threads would do work the per-thread CPU clock does not see.
  cv::setNumThreads(0);
  report_rates("Decode rate on the golden corpus as stored", corpus_cases());
  report_rates("Decode rate on the same images as 1920x1080 station frames", frame_cases());
  std::printf("%zu station frames of 1920x1080; plain ZXing aborts on %zd of them\n\n", frames().size(),
              std::count(zxing_aborts().begin(), zxing_aborts().end(), true));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
