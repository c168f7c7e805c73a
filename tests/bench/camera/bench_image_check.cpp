// The image check's costs on the demo photo (1920x1080), each beside the obvious alternative:
// cv::undistort per call (what the check does) vs remap tables built once; our tile-max sharpness
// vs the textbook whole-frame variance of the Laplacian (cost, and how well each separates sharp
// from soft); the whole check with and without storing evidence.
#include <benchmark/benchmark.h>

#include <filesystem>

#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <pickverify/camera.hpp>
#include <pickverify/frame_quality.hpp>
#include <pickverify/image_check_request.hpp>
#include <pickverify/image_check_result.hpp>
#include <pickverify/image_checker.hpp>

using namespace pickverify;

namespace {

const std::filesystem::path k_source = PICKVERIFY_SOURCE_DIR;

const CapturedFrame& photo()
{
  static const CapturedFrame frame = [] {
    auto loaded = load_image_file((k_source / "demo/camera/ORD-2025-00145/packed.jpg").string());
    if (!loaded) {
      std::abort();
    }
    return std::move(*loaded);
  }();
  return frame;
}

cv::Mat photo_mat()
{
  const CapturedFrame& f = photo();
  return cv::Mat(f.height, f.width, CV_8UC3, const_cast<std::uint8_t*>(f.pixels.data()),
                 static_cast<std::size_t>(f.stride));
}

// The same photo with only the size-9 box left on an otherwise plain bench: a sharpness measure
// should not call it blurred just because less of the frame is label.
cv::Mat one_label_mat()
{
  const cv::Mat full = photo_mat();
  cv::Mat plain(full.size(), full.type(), cv::Scalar(112, 124, 134));
  const cv::Rect box(90, 110, 540, 360);
  full(box).copyTo(plain(box));
  return plain;
}

const cv::Mat k_camera = (cv::Mat_<double>(3, 3) << 1600, 0, 960, 0, 1600, 540, 0, 0, 1);
const cv::Mat k_distortion = (cv::Mat_<double>(1, 5) << -0.12, 0.03, 0, 0, 0);

ImageCheckRequest order_145()
{
  ImageCheckRequest request;
  request.expected = {{"09506000001418", "TR-RUN-09-D", "Trail runner, size 9, width D"},
                      {"09506000001692", "ACC-INSOLE-M", "Cushion insoles, M"},
                      {"09506000001760", "ACC-LACES-BLK", "Laces, black, 120 cm"},
                      {"09506000001838", "CARE-BRUSH", "Shoe brush"},
                      {"09506000001906", "CARE-SPRAY", "Water-repellent spray 200 ml"}};
  return request;
}

void BM_undistort_per_call(benchmark::State& state)
{
  const cv::Mat input = photo_mat();
  cv::Mat output;
  for (auto _ : state) {
    cv::undistort(input, output, k_camera, k_distortion);
    benchmark::DoNotOptimize(output.data);
  }
}
BENCHMARK(BM_undistort_per_call)->Unit(benchmark::kMillisecond);

void BM_undistort_cached_maps(benchmark::State& state)
{
  const cv::Mat input = photo_mat();
  cv::Mat map_x;
  cv::Mat map_y;
  cv::initUndistortRectifyMap(k_camera, k_distortion, cv::Mat(), k_camera, input.size(), CV_16SC2, map_x, map_y);
  cv::Mat output;
  for (auto _ : state) {
    cv::remap(input, output, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
    benchmark::DoNotOptimize(output.data);
  }
}
BENCHMARK(BM_undistort_cached_maps)->Unit(benchmark::kMillisecond);

// The textbook blur measure, for comparison: variance of the Laplacian over the whole frame.
double global_laplacian_variance(const cv::Mat& grey)
{
  cv::Mat laplacian;
  cv::Laplacian(grey, laplacian, CV_32F);
  cv::Scalar mean;
  cv::Scalar stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

void BM_sharpness_global_variance(benchmark::State& state)
{
  cv::Mat grey;
  cv::cvtColor(photo_mat(), grey, cv::COLOR_BGR2GRAY);
  cv::Mat soft;
  cv::GaussianBlur(grey, soft, cv::Size(0, 0), 1.0);
  double sharp_value = 0;
  for (auto _ : state) {
    sharp_value = global_laplacian_variance(grey);
    benchmark::ClobberMemory();
  }
  state.counters["sharp"] = sharp_value;
  state.counters["soft_sigma1"] = global_laplacian_variance(soft);
  state.counters["ratio"] = sharp_value / global_laplacian_variance(soft);
  cv::Mat one_label;
  cv::cvtColor(one_label_mat(), one_label, cv::COLOR_BGR2GRAY);
  state.counters["one_label"] = global_laplacian_variance(one_label);
}
BENCHMARK(BM_sharpness_global_variance)->Unit(benchmark::kMillisecond);

void BM_quality_tile_max(benchmark::State& state)
{
  const FrameView view = photo().view();
  cv::Mat soft;
  cv::GaussianBlur(photo_mat(), soft, cv::Size(0, 0), 1.0);
  const FrameView soft_view{soft.data, soft.cols, soft.rows, static_cast<int>(soft.step[0]), PixelFormat::bgr8};
  double sharp_value = 0;
  for (auto _ : state) {
    auto quality = measure_quality(view);
    if (!quality) {
      state.SkipWithError(quality.error().message.c_str());
      break;
    }
    // Not DoNotOptimize(double): Google Benchmark 1.7's "+m,r" constraint lets g++ 12 clobber a
    // double it is handed (the value read back was 0 or garbage); the call is opaque anyway.
    sharp_value = quality->sharpness;
  }
  state.counters["sharp"] = sharp_value;
  state.counters["soft_sigma1"] = measure_quality(soft_view)->sharpness;
  state.counters["ratio"] = sharp_value / measure_quality(soft_view)->sharpness;
  const cv::Mat one_label = one_label_mat();
  const FrameView one_label_view{one_label.data, one_label.cols, one_label.rows, static_cast<int>(one_label.step[0]),
                                 PixelFormat::bgr8};
  state.counters["one_label"] = measure_quality(one_label_view)->sharpness;
}
BENCHMARK(BM_quality_tile_max)->Unit(benchmark::kMillisecond);

ImageCheckSettings demo_settings()
{
  ImageCheckSettings settings;
  auto loaded = load_station_calibration(k_source / "calibration", "demo");
  if (!loaded) {
    std::abort();
  }
  settings.calibration = loaded->calibration;
  return settings;
}

void BM_image_check_without_evidence(benchmark::State& state)
{
  const ImageCheckSettings settings = demo_settings();
  const ImageCheckRequest request = order_145();
  for (auto _ : state) {
    auto result = run_image_check(photo(), request, settings);
    if (result.outcome != ImageCheckOutcome::passed) {
      state.SkipWithError("the demo photo did not pass");
    }
  }
}
BENCHMARK(BM_image_check_without_evidence)->Unit(benchmark::kMillisecond);

void BM_image_check_with_evidence(benchmark::State& state)
{
  ImageCheckSettings settings = demo_settings();
  const auto dir = std::filesystem::temp_directory_path() / "pickverify-bench-evidence";
  settings.data_dir = dir;
  const ImageCheckRequest request = order_145();
  // A different corner pixel each time, so every check writes new files (the store skips bytes it has).
  CapturedFrame frame = photo();
  std::uint32_t counter = 0;
  for (auto _ : state) {
    ++counter;
    frame.pixels[0] = static_cast<std::uint8_t>(counter);
    frame.pixels[1] = static_cast<std::uint8_t>(counter >> 8);
    auto result = run_image_check(frame, request, settings);
    if (result.outcome != ImageCheckOutcome::passed) {
      state.SkipWithError("the demo photo did not pass");
    }
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_image_check_with_evidence)->Unit(benchmark::kMillisecond);

} // namespace

// One OpenCV thread: the figures are per core, like the decoder's; the station runs several
// cameras and the service on two cores.
int main(int argc, char** argv)
{
  cv::setNumThreads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
